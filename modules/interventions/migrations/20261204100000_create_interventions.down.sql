DROP TABLE intervention_commentaires;
DROP TABLE intervention_historique;
DROP TABLE interventions;
