CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url VARCHAR(2048) NOT NULL,
    secret VARCHAR(256) NOT NULL,
    types_evenements TEXT NOT NULL,
    client_id BIGINT,
    actif BOOLEAN NOT NULL DEFAULT TRUE,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_actif_client ON webhooks (actif, client_id);
CREATE INDEX webhooks_client ON webhooks (client_id);

CREATE TABLE webhook_livraisons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    evenement_id VARCHAR(64) NOT NULL,
    type_evenement VARCHAR(100) NOT NULL,
    corps TEXT NOT NULL,
    statut VARCHAR(20) NOT NULL
        CHECK (statut IN ('en_attente', 'reussie', 'echouee')),
    nombre_tentatives INTEGER NOT NULL DEFAULT 0,
    rejeu_de BIGINT,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    date_livraison TIMESTAMP
);
CREATE INDEX webhook_livraisons_webhook ON webhook_livraisons (webhook_id, id);
CREATE UNIQUE INDEX webhook_livraisons_evenement ON webhook_livraisons (webhook_id, evenement_id)
    WHERE rejeu_de IS NULL;

CREATE TABLE webhook_tentatives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    livraison_id BIGINT NOT NULL REFERENCES webhook_livraisons (id) ON DELETE CASCADE,
    numero INTEGER NOT NULL,
    code_http INTEGER,
    duree_ms BIGINT NOT NULL,
    erreur VARCHAR(1000),
    date_tentative TIMESTAMP NOT NULL
);
CREATE INDEX webhook_tentatives_livraison ON webhook_tentatives (livraison_id, numero);
