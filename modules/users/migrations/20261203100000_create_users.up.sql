CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(254) NOT NULL,
    email_normalise VARCHAR(254) NOT NULL,
    nom VARCHAR(100) NOT NULL,
    prenom VARCHAR(100) NOT NULL,
    role VARCHAR(20) NOT NULL,
    client_id BIGINT,
    actif BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash VARCHAR(255) NOT NULL,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    derniere_connexion TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (role IN ('admin', 'responsable', 'technicien', 'client')),
    CHECK (role <> 'client' OR client_id IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_normalise ON users (email_normalise);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_client_id ON users (client_id);
