-- +goose Up
-- Engineers (job seekers) and what they keep here. Deleting an engineer
-- deletes everything personal with it (ON DELETE CASCADE).

-- email is stored folded (trimmed, lower case); password_hash is an
-- argon2id hash in the PHC string form. profile is the profile as JSON
-- (skills, role, desired rate, remote, days, prefectures, side-job only);
-- recommend (off, daily, weekly) is a column because the mailer selects by it.
CREATE TABLE engineers (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    verified_at     TIMESTAMP,
    profile         TEXT NOT NULL DEFAULT '{}',
    recommend       TEXT NOT NULL DEFAULT 'off',
    recommended_at  TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- Sessions and one-time tokens (verification, password reset) are kept as
-- the SHA-256 of the token; the token itself only ever travels to the user.
CREATE TABLE sessions (
    hash        TEXT PRIMARY KEY,
    engineer_id INTEGER NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_engineer ON sessions (engineer_id);

CREATE TABLE account_tokens (
    hash        TEXT PRIMARY KEY,
    engineer_id INTEGER NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP
);
CREATE INDEX account_tokens_engineer ON account_tokens (engineer_id);

-- query is the search's URL query string, as /v1/listings takes it.
-- alert: instant, daily or off; hour: the digest hour in Asia/Tokyo.
-- unsubscribe: a random token carried by the alert mail's one-click
-- unsubscribe link. mailed_at: when the last alert mail for it was
-- written (instant alerts are bundled to one mail per ANKEN_ALERT_BUNDLE).
CREATE TABLE saved_searches (
    id           INTEGER PRIMARY KEY,
    engineer_id  INTEGER NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    query        TEXT NOT NULL,
    alert        TEXT NOT NULL,
    hour         INTEGER NOT NULL DEFAULT 8,
    unsubscribe  TEXT NOT NULL UNIQUE,
    mailed_at    TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX saved_searches_engineer ON saved_searches (engineer_id);

CREATE TABLE favorites (
    engineer_id INTEGER NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    listing_id  INTEGER NOT NULL REFERENCES listings (id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (engineer_id, listing_id)
);

-- Every (saved search, listing) the alert matcher found, once ever (the
-- primary key): pending until a mail carries it (mail_id) or it is
-- dropped (closed before the mail was built, or a duplicate of a listing
-- already mailed to the search).
CREATE TABLE alert_hits (
    saved_search_id INTEGER NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
    listing_id      INTEGER NOT NULL REFERENCES listings (id),
    state           TEXT NOT NULL,
    mail_id         INTEGER,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (saved_search_id, listing_id)
);
CREATE INDEX alert_hits_pending ON alert_hits (state, saved_search_id);

-- The mail outbox: mail is written here in the transaction that decides
-- it, and a sender claims it (state pending → sending → sent, or parked
-- with its error after a permanent refusal). message_id is fixed when the
-- mail is written, so a mail sent again after a crash carries the same one.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    engineer_id     INTEGER REFERENCES engineers (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    headers         TEXT NOT NULL DEFAULT '{}',
    message_id      TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_engineer ON outbox (engineer_id);

-- Durable positions of change-log followers other than the index (the
-- alert matcher), and leases that let one node of several do a singleton
-- job (until is when the holder's claim lapses).
CREATE TABLE positions (
    name TEXT PRIMARY KEY,
    seq  INTEGER NOT NULL
);

CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE positions;
DROP TABLE outbox;
DROP TABLE alert_hits;
DROP TABLE favorites;
DROP TABLE saved_searches;
DROP TABLE account_tokens;
DROP TABLE sessions;
DROP TABLE engineers;
