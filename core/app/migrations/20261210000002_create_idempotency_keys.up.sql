CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    cle VARCHAR(255) NOT NULL,
    empreinte CHAR(64) NOT NULL,
    statut INTEGER NOT NULL,
    entetes TEXT NOT NULL,
    corps BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, cle)
);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
