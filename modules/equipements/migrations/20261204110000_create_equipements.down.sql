DROP TABLE equipement_historique;
DROP TABLE equipements;
