CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type_evenement VARCHAR(100) NOT NULL,
    titre VARCHAR(255) NOT NULL,
    message TEXT NOT NULL,
    ressource VARCHAR(100) NOT NULL,
    ressource_id BIGINT,
    cle VARCHAR(150) NOT NULL,
    lue BOOLEAN NOT NULL DEFAULT FALSE,
    date_creation TIMESTAMP NOT NULL,
    date_lecture TIMESTAMP
);
CREATE UNIQUE INDEX notifications_user_cle ON notifications (user_id, cle);
CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX notifications_user_unread ON notifications (user_id, id) WHERE NOT lue;

CREATE TABLE notification_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    langue VARCHAR(2) NOT NULL CHECK (langue IN ('fr', 'en')),
    canaux TEXT NOT NULL,
    date_modification TIMESTAMP NOT NULL
);

CREATE TABLE notification_tickets (
    empreinte CHAR(64) PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    date_expiration TIMESTAMP NOT NULL
);
CREATE INDEX notification_tickets_expiration ON notification_tickets (date_expiration);

CREATE TABLE notification_evenements (
    event_id VARCHAR(36) PRIMARY KEY,
    date_traitement TIMESTAMP NOT NULL
);

CREATE TABLE notification_suivi (
    intervention_id BIGINT PRIMARY KEY,
    client_id BIGINT,
    titre VARCHAR(255) NOT NULL DEFAULT '',
    statut VARCHAR(20) NOT NULL DEFAULT '',
    technicien_id BIGINT,
    date_planifiee TIMESTAMP,
    suspendue_depuis TIMESTAMP,
    suspension_signalee BOOLEAN NOT NULL DEFAULT FALSE,
    rappel_pour TIMESTAMP,
    date_evenement TIMESTAMP NOT NULL
);
CREATE INDEX notification_suivi_suspension ON notification_suivi (suspendue_depuis)
    WHERE suspendue_depuis IS NOT NULL AND NOT suspension_signalee;
CREATE INDEX notification_suivi_planifiee ON notification_suivi (date_planifiee)
    WHERE date_planifiee IS NOT NULL;
