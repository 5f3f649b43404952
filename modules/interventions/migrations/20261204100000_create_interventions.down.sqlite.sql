DROP TABLE intervention_commentaires;
DROP TABLE intervention_historique;
DROP TRIGGER interventions_texte_update;
DROP TRIGGER interventions_texte_delete;
DROP TRIGGER interventions_texte_insert;
DROP TABLE interventions_texte;
DROP TABLE interventions;
