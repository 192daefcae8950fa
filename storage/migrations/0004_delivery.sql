-- Coverage watch: the delivery outbox, messages sent per story (for edits), the digest queue,
-- per-article story features and per-chat digest state.
-- Chats and subscriptions live in 0003; this file never references them by foreign key so that
-- it applies whatever order the migrations land in.

-- Every message to a chat goes through here; enqueued in the same transaction that decides it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    dedup_key       TEXT NOT NULL,                 -- e.g. story:12:v3, digest:daily:2024-11-01, broadcast:7
    kind            TEXT NOT NULL DEFAULT 'send' CHECK (kind IN ('send', 'edit')),
    text            TEXT NOT NULL,
    parse_mode      TEXT,                          -- 'HTML' or NULL
    reply_markup    TEXT,                          -- JSON or NULL
    disable_preview INTEGER NOT NULL DEFAULT 1,
    thread_id       INTEGER,                       -- forum topic, if any
    story_id        INTEGER,                       -- set for per-story messages (edited when the story grows)
    edit_of         INTEGER REFERENCES outbox(id), -- for kind 'edit': the row whose message is edited
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,                 -- Unix seconds
    created_at      TEXT NOT NULL,
    claimed_at      REAL,
    sent_at         TEXT,
    message_id      INTEGER,                       -- Telegram's id of the sent (or edited) message
    last_error      TEXT,
    UNIQUE (chat_id, dedup_key)
);
CREATE INDEX outbox_state_chat ON outbox(state, chat_id, id);

-- The message that carries a story in a chat ('now' mode), so that growth edits it.
CREATE TABLE sent_messages (
    chat_id    INTEGER NOT NULL,
    story_id   INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    outbox_id  INTEGER NOT NULL,
    sent_at    TEXT NOT NULL,
    edited_at  TEXT,
    PRIMARY KEY (chat_id, story_id)
);

-- Articles matched to a chat's subscriptions and not yet put in a digest.
CREATE TABLE digest_queue (
    chat_id         INTEGER NOT NULL,
    article_id      INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    story_id        INTEGER,
    subscription_id INTEGER,
    matched_at      TEXT NOT NULL,
    digested_at     TEXT,
    PRIMARY KEY (chat_id, article_id)
);
CREATE INDEX digest_queue_pending ON digest_queue(digested_at, chat_id);

-- Per-chat digest bookkeeping (kept here so it does not depend on the chats table's shape).
CREATE TABLE digest_state (
    chat_id        INTEGER PRIMARY KEY,
    last_digest_at TEXT,
    last_period    TEXT                              -- e.g. hourly:2024-11-01T10 or daily:2024-11-01
);

-- What the story clusterer knows about each article: entity ids, names, places, numbers, quotes.
CREATE TABLE article_features (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    feature    TEXT NOT NULL,                   -- kind:key, e.g. p:lavrov, g:KP, d:11-01, e:17
    weight     REAL NOT NULL DEFAULT 1,         -- salience in the article
    PRIMARY KEY (article_id, feature)
) WITHOUT ROWID;
CREATE INDEX article_features_feature ON article_features(feature);

-- How far the coverage watch has processed new articles (stories, subscriptions, digests). Starts at
-- the newest article already stored, so an existing archive does not flood subscribers.
CREATE TABLE watch_cursor (
    name       TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL
);
INSERT INTO watch_cursor(name, article_id) SELECT 'coverage', COALESCE(MAX(id), 0) FROM articles;
