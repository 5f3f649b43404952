CREATE TABLE equipements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id BIGINT NOT NULL REFERENCES clients (id),
    nom VARCHAR(255) NOT NULL,
    numero_serie VARCHAR(100) NOT NULL,
    categorie VARCHAR(100),
    marque VARCHAR(100),
    modele VARCHAR(100),
    localisation VARCHAR(255),
    date_mise_en_service DATE,
    criticite VARCHAR(10) NOT NULL DEFAULT 'moyenne',
    statut VARCHAR(20) NOT NULL DEFAULT 'en_service',
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (criticite IN ('basse', 'moyenne', 'haute')),
    CHECK (statut IN ('en_service', 'en_panne', 'en_maintenance', 'hors_service'))
);
CREATE UNIQUE INDEX equipements_client_numero_serie ON equipements (client_id, numero_serie);
CREATE INDEX equipements_numero_serie ON equipements (numero_serie);
CREATE INDEX equipements_nom ON equipements (nom);
CREATE INDEX equipements_statut ON equipements (statut);
CREATE INDEX equipements_categorie ON equipements (categorie);
CREATE INDEX equipements_criticite ON equipements (criticite);
CREATE INDEX equipements_date_creation ON equipements (date_creation);
CREATE INDEX equipements_date_mise_en_service ON equipements (date_mise_en_service);

CREATE TABLE equipement_historique (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    equipement_id BIGINT NOT NULL REFERENCES equipements (id) ON DELETE CASCADE,
    ancien_statut VARCHAR(20),
    nouveau_statut VARCHAR(20) NOT NULL,
    motif VARCHAR(500),
    intervention_id BIGINT,
    user_id BIGINT,
    date TIMESTAMP NOT NULL
);
CREATE INDEX equipement_historique_equipement_date
    ON equipement_historique (equipement_id, date, id);
