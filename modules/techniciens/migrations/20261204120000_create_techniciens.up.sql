CREATE TABLE competences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code VARCHAR(50) NOT NULL,
    libelle VARCHAR(255) NOT NULL
);
CREATE UNIQUE INDEX competences_code ON competences (code);

CREATE TABLE techniciens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    nom VARCHAR(100) NOT NULL,
    prenom VARCHAR(100) NOT NULL,
    telephone VARCHAR(30),
    zone VARCHAR(100),
    actif BOOLEAN NOT NULL DEFAULT TRUE,
    date_creation TIMESTAMP NOT NULL,
    date_modification TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX techniciens_user_id ON techniciens (user_id);
CREATE INDEX techniciens_nom_prenom ON techniciens (nom, prenom);
CREATE INDEX techniciens_prenom ON techniciens (prenom);
CREATE INDEX techniciens_zone ON techniciens (zone);
CREATE INDEX techniciens_actif ON techniciens (actif);
CREATE INDEX techniciens_date_creation ON techniciens (date_creation);

CREATE TABLE technicien_competences (
    technicien_id BIGINT NOT NULL REFERENCES techniciens (id) ON DELETE CASCADE,
    competence_id BIGINT NOT NULL REFERENCES competences (id),
    niveau INTEGER NOT NULL,
    date_expiration DATE,
    PRIMARY KEY (technicien_id, competence_id),
    CHECK (niveau BETWEEN 1 AND 4)
);
CREATE INDEX technicien_competences_competence_niveau
    ON technicien_competences (competence_id, niveau);
