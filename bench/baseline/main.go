// Command baseline is the yardstick for the load test: a minimal hand-written
// net/http + pgx server answering the product's hot paths with the same SQL
// on the same database, with none of the product's layers (no router, no
// middleware, no ORM, no audit of reads). The load test compares erp with it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type server struct {
	pool   *pgxpool.Pool
	parser *jwt.Parser
	secret []byte
}

type claims struct {
	jwt.RegisteredClaims
	Role string `json:"role"`
	CID  int64  `json:"cid"`
}

// intervention holds the columns the product reads for one intervention.
type intervention struct {
	ID                  int64      `json:"id"`
	EquipementID        int64      `json:"equipement_id"`
	TechnicienID        *int64     `json:"technicien_id"`
	ClientID            int64      `json:"client_id"`
	TypeIntervention    string     `json:"type_intervention"`
	Statut              string     `json:"statut"`
	Priorite            string     `json:"priorite"`
	Urgence             bool       `json:"urgence"`
	Titre               string     `json:"titre"`
	Description         string     `json:"description"`
	CompetencesRequises []string   `json:"competences_requises"`
	DateCreation        time.Time  `json:"date_creation"`
	DateModification    time.Time  `json:"date_modification"`
	DatePlanifiee       *time.Time `json:"date_planifiee"`
	DateAffectation     *time.Time `json:"date_affectation"`
	DateDebut           *time.Time `json:"date_debut"`
	DateFin             *time.Time `json:"date_fin"`
	DureeMinutes        *int64     `json:"duree_minutes"`
	Rapport             *string    `json:"rapport"`
	Version             int64      `json:"version"`
}

const columns = `id, equipement_id, technicien_id, client_id, type_intervention, statut,
	priorite, urgence, titre, description, competences_requises, date_creation,
	date_modification, date_planifiee, date_affectation, date_debut, date_fin, rapport,
	version`

func scan(row pgx.Row, iv *intervention) error {
	var comp string
	err := row.Scan(&iv.ID, &iv.EquipementID, &iv.TechnicienID, &iv.ClientID,
		&iv.TypeIntervention, &iv.Statut, &iv.Priorite, &iv.Urgence, &iv.Titre,
		&iv.Description, &comp, &iv.DateCreation, &iv.DateModification, &iv.DatePlanifiee,
		&iv.DateAffectation, &iv.DateDebut, &iv.DateFin, &iv.Rapport, &iv.Version)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(comp), &iv.CompetencesRequises)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8100", "listen address")
	dsn := flag.String("db", "", "PostgreSQL URL")
	secret := flag.String("secret", "", "JWT secret shared with erp")
	flag.Parse()

	pool, err := pgxpool.New(context.Background(), *dsn)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{pool: pool, secret: []byte(*secret), parser: jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/auth/me", s.me)
	mux.HandleFunc("GET /api/v1/interventions/{id}", s.get)
	mux.HandleFunc("GET /api/v1/interventions/", s.list)
	mux.HandleFunc("POST /api/v1/interventions/", s.create)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

func (s *server) auth(w http.ResponseWriter, r *http.Request) (*claims, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	var c claims
	if ok {
		_, err := s.parser.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) {
			return s.secret, nil
		})
		ok = err == nil
	}
	if !ok {
		http.Error(w, `{"status":401}`, http.StatusUnauthorized)
	}
	return &c, ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *server) me(w http.ResponseWriter, r *http.Request) {
	c, ok := s.auth(w, r)
	if !ok {
		return
	}
	var out struct {
		ID     int64  `json:"id"`
		Email  string `json:"email"`
		Nom    string `json:"nom"`
		Prenom string `json:"prenom"`
		Role   string `json:"role"`
	}
	err := s.pool.QueryRow(r.Context(),
		`SELECT id, email, nom, prenom, role FROM users WHERE id = $1 AND actif`, c.Subject).
		Scan(&out.ID, &out.Email, &out.Nom, &out.Prenom, &out.Role)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) get(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var iv intervention
	err := scan(s.pool.QueryRow(r.Context(),
		`SELECT `+columns+` FROM interventions WHERE id = $1`, id), &iv)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, iv.Version))
	writeJSON(w, http.StatusOK, iv)
}

func (s *server) list(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.auth(w, r); !ok {
		return
	}
	statut := r.URL.Query().Get("statut")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	rows, err := s.pool.Query(r.Context(), `SELECT `+columns+` FROM interventions
		WHERE statut = $1 ORDER BY date_creation DESC, id DESC LIMIT $2`, statut, limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out := make([]intervention, 0, limit)
	for rows.Next() {
		var iv intervention
		if err := scan(rows, &iv); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, iv)
	}
	var total int
	err = s.pool.QueryRow(r.Context(),
		`SELECT count(*) FROM interventions WHERE statut = $1`, statut).Scan(&total)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, http.StatusOK, out)
}

func (s *server) create(w http.ResponseWriter, r *http.Request) {
	c, ok := s.auth(w, r)
	if !ok {
		return
	}
	var in struct {
		EquipementID     int64  `json:"equipement_id"`
		Titre            string `json:"titre"`
		Description      string `json:"description"`
		TypeIntervention string `json:"type_intervention"`
		Priorite         string `json:"priorite"`
		Urgence          bool   `json:"urgence"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer tx.Rollback(ctx)
	var iv intervention
	err = func() error {
		var clientID int64
		err := tx.QueryRow(ctx, `SELECT client_id FROM equipements WHERE id = $1`,
			in.EquipementID).Scan(&clientID)
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		err = scan(tx.QueryRow(ctx, `INSERT INTO interventions (equipement_id, client_id,
			type_intervention, statut, priorite, priorite_rang, urgence, titre, description,
			createur_id, date_creation, date_modification)
			VALUES ($1, $2, $3, 'ouverte', $4, 3, $5, $6, $7, $8, $9, $9)
			RETURNING `+columns, in.EquipementID, clientID, in.TypeIntervention, in.Priorite,
			in.Urgence, in.Titre, in.Description, c.Subject, now), &iv)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(iv)
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, user_id, action, resource,
			resource_id, apres) VALUES ($1, $2, 'intervention.create', 'intervention', $3, $4)`,
			now, c.Subject, strconv.FormatInt(iv.ID, 10), string(body))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO event_outbox (event_id, type, resource,
			resource_id, client_id, actor_id, payload, created_at)
			VALUES (gen_random_uuid(), 'intervention.created', 'intervention', $1, $2, $3, $4, $5)`,
			strconv.FormatInt(iv.ID, 10), clientID, c.Subject, string(body), now)
		return err
	}()
	if err == nil {
		err = tx.Commit(ctx)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Location", "/api/v1/interventions/"+strconv.FormatInt(iv.ID, 10))
	writeJSON(w, http.StatusCreated, iv)
}
