CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    famille VARCHAR(32) NOT NULL,
    token_hash VARCHAR(64) NOT NULL,
    date_creation TIMESTAMP NOT NULL,
    date_expiration TIMESTAMP NOT NULL,
    date_utilisation TIMESTAMP,
    date_revocation TIMESTAMP
);
CREATE UNIQUE INDEX refresh_tokens_token_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_famille ON refresh_tokens (famille);
CREATE INDEX refresh_tokens_user_id ON refresh_tokens (user_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    email_normalise VARCHAR(254) NOT NULL,
    ip VARCHAR(64) NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email_normalise, at);
CREATE INDEX login_failures_ip_at ON login_failures (ip, at);
CREATE INDEX login_failures_at ON login_failures (at);
