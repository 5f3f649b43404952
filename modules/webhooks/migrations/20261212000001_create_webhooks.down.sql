DROP TABLE webhook_tentatives;
DROP TABLE webhook_livraisons;
DROP TABLE webhooks;
