DROP TABLE technicien_competences;
DROP TABLE techniciens;
DROP TABLE competences;
