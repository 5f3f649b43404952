CREATE TABLE clients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    nom VARCHAR(255) NOT NULL,
    code VARCHAR(50) NOT NULL,
    adresse VARCHAR(500),
    code_postal VARCHAR(20),
    ville VARCHAR(100),
    pays VARCHAR(100),
    contact_nom VARCHAR(200),
    telephone VARCHAR(30),
    email VARCHAR(254),
    actif BOOLEAN NOT NULL DEFAULT TRUE,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX clients_code ON clients (code);
CREATE INDEX clients_nom ON clients (nom);
CREATE INDEX clients_actif_nom ON clients (actif, nom);
CREATE INDEX clients_date_creation ON clients (date_creation);
