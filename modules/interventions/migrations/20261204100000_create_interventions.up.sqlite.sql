CREATE TABLE interventions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    equipement_id BIGINT NOT NULL REFERENCES equipements (id),
    client_id BIGINT NOT NULL REFERENCES clients (id),
    technicien_id BIGINT REFERENCES techniciens (id),
    type_intervention VARCHAR(20) NOT NULL,
    statut VARCHAR(20) NOT NULL,
    priorite VARCHAR(20) NOT NULL,
    priorite_rang SMALLINT NOT NULL,
    urgence BOOLEAN NOT NULL DEFAULT FALSE,
    titre VARCHAR(255) NOT NULL,
    description VARCHAR(2000) NOT NULL,
    competences_requises TEXT NOT NULL DEFAULT '[]',
    rapport TEXT,
    createur_id BIGINT,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    date_planifiee TIMESTAMP,
    date_affectation TIMESTAMP,
    date_debut TIMESTAMP,
    date_fin TIMESTAMP,
    periode_debut TIMESTAMP,
    travail_secondes BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK (type_intervention IN ('corrective', 'preventive', 'ameliorative', 'diagnostic')),
    CHECK (statut IN ('ouverte', 'affectee', 'en_cours', 'en_attente', 'cloturee',
        'annulee', 'archivee')),
    CHECK (priorite IN ('urgente', 'haute', 'normale', 'basse', 'programmee'))
);
CREATE INDEX interventions_statut ON interventions (statut, date_creation, id);
CREATE INDEX interventions_client ON interventions (client_id, date_creation, id);
CREATE INDEX interventions_technicien ON interventions (technicien_id, date_creation, id);
CREATE INDEX interventions_equipement ON interventions (equipement_id, date_creation, id);
CREATE INDEX interventions_priorite ON interventions (priorite, date_creation, id);
CREATE INDEX interventions_type ON interventions (type_intervention, date_creation, id);
CREATE INDEX interventions_urgence ON interventions (urgence, date_creation, id);
CREATE INDEX interventions_date_creation ON interventions (date_creation, id);
CREATE INDEX interventions_date_modification ON interventions (date_modification, id);
CREATE INDEX interventions_date_planifiee ON interventions (date_planifiee, id);
CREATE INDEX interventions_priorite_rang ON interventions (priorite_rang, id);

-- Text search: a trigram full-text index over titre and description, kept
-- in step with the table by triggers.
CREATE VIRTUAL TABLE interventions_texte USING fts5 (
    titre, description, content = 'interventions', content_rowid = 'id',
    tokenize = 'trigram'
);
CREATE TRIGGER interventions_texte_insert AFTER INSERT ON interventions BEGIN
    INSERT INTO interventions_texte (rowid, titre, description)
    VALUES (new.id, new.titre, new.description);
END;
CREATE TRIGGER interventions_texte_delete AFTER DELETE ON interventions BEGIN
    INSERT INTO interventions_texte (interventions_texte, rowid, titre, description)
    VALUES ('delete', old.id, old.titre, old.description);
END;
CREATE TRIGGER interventions_texte_update AFTER UPDATE OF titre, description
ON interventions BEGIN
    INSERT INTO interventions_texte (interventions_texte, rowid, titre, description)
    VALUES ('delete', old.id, old.titre, old.description);
    INSERT INTO interventions_texte (rowid, titre, description)
    VALUES (new.id, new.titre, new.description);
END;

CREATE TABLE intervention_historique (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    intervention_id BIGINT NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    action VARCHAR(20) NOT NULL,
    ancien_statut VARCHAR(20),
    nouveau_statut VARCHAR(20) NOT NULL,
    motif TEXT,
    technicien_id BIGINT,
    force BOOLEAN NOT NULL DEFAULT FALSE,
    competences_manquantes TEXT,
    user_id BIGINT,
    date TIMESTAMP NOT NULL
);
CREATE INDEX intervention_historique_intervention
    ON intervention_historique (intervention_id, date, id);

CREATE TABLE intervention_commentaires (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    intervention_id BIGINT NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    user_id BIGINT,
    texte TEXT NOT NULL,
    date_creation TIMESTAMP NOT NULL
);
CREATE INDEX intervention_commentaires_intervention
    ON intervention_commentaires (intervention_id, date_creation, id);
