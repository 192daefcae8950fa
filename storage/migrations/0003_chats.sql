-- Chats, users, subscriptions and the admin audit trail (the Telegram bot).
-- The coverage watch reads chats and subscriptions: keep these columns.

CREATE TABLE chats (
    id             INTEGER PRIMARY KEY,              -- Telegram chat id
    type           TEXT NOT NULL DEFAULT 'private',  -- private | group | supergroup | channel
    title          TEXT,
    lang           TEXT CHECK (lang IS NULL OR lang IN ('en', 'ru', 'bg')),  -- NULL: follow the user
    timezone       TEXT,                             -- IANA name; NULL: the bot's TIMEZONE
    digest_mode    TEXT NOT NULL DEFAULT 'now' CHECK (digest_mode IN ('now', 'hourly', 'daily', 'off')),
    digest_time    TEXT,                             -- HH:MM for 'daily'
    active         INTEGER NOT NULL DEFAULT 1,       -- 0 once the bot was blocked or removed
    last_digest_at TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX chats_active ON chats(active);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,                  -- Telegram user id
    banned     INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL
);

CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('entity', 'keyword')),
    entity_id  INTEGER,                              -- the answer engine's entity, for kind 'entity'
    query      TEXT NOT NULL,                        -- the name or keyword as shown to the chat
    excludes   TEXT NOT NULL DEFAULT '',             -- space-separated words that veto a match
    created_at TEXT NOT NULL,
    UNIQUE (chat_id, kind, query)
);
CREATE INDEX subscriptions_entity ON subscriptions(entity_id);

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    admin_id INTEGER NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);

-- Questions asked in chats, so that paging buttons carry a short id instead of the question.
CREATE TABLE asked (
    id         INTEGER PRIMARY KEY,
    chat_id    INTEGER NOT NULL,
    question   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
