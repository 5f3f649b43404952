DROP TABLE notification_suivi;
DROP TABLE notification_evenements;
DROP TABLE notification_tickets;
DROP TABLE notification_preferences;
DROP TABLE notifications;
