-- Core schema: sources, stories, articles and their passages, and an event log.
-- Later migrations add the answer engine (people, aliases, quotes, search index), chats and
-- subscriptions, and the delivery outbox; they reference these tables and never reshape them.

CREATE TABLE sources (
    id               INTEGER PRIMARY KEY,
    url              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'page')),
    title            TEXT,
    added_at         TEXT NOT NULL,
    added_by         INTEGER,
    interval_seconds INTEGER NOT NULL DEFAULT 600,
    etag             TEXT,
    last_modified    TEXT,
    last_polled_at   TEXT,
    next_poll_at     TEXT,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    disabled_at      TEXT
);

CREATE TABLE stories (
    id            INTEGER PRIMARY KEY,
    headline      TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories(last_seen_at);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    url           TEXT,
    canonical_url TEXT UNIQUE,
    title         TEXT NOT NULL,
    title_derived INTEGER NOT NULL DEFAULT 0,   -- 1 when the title was taken from the first sentence
    body          TEXT NOT NULL,                -- the article as received, noise included
    clean_text    TEXT NOT NULL,                -- the body with noise lines removed: what is indexed
    lang          TEXT NOT NULL CHECK (lang IN ('ru', 'bg', 'en', 'other')),
    published_at  TEXT,
    source        TEXT NOT NULL,                -- ingested file path or feed URL
    source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    guid          TEXT,
    content_hash  TEXT NOT NULL UNIQUE,
    ingested_at   TEXT NOT NULL,
    story_id      INTEGER REFERENCES stories(id) ON DELETE SET NULL
);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_ingested ON articles(ingested_at);
CREATE INDEX articles_story ON articles(story_id);
CREATE UNIQUE INDEX articles_source_guid ON articles(source_id, guid) WHERE guid IS NOT NULL;

CREATE TABLE passages (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    start      INTEGER NOT NULL,                -- offsets into articles.clean_text
    end        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    UNIQUE (article_id, seq)
);

-- Counted, logged happenings: rejected inputs, fetch failures, delivery errors. /stats reads them.
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,                      -- e.g. ingest.rejected, source.failed, delivery.failed
    subject TEXT,
    message TEXT NOT NULL
);
CREATE INDEX events_kind_at ON events(kind, at);
