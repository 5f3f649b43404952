// Command loadtest measures erp's hot paths against the baseline server
// (bench/baseline) on the same PostgreSQL data, in one run, and prints the
// ratios. It talks only to servers it starts itself on 127.0.0.1, and every
// load phase is bounded in time.
//
//	make bench-load        (starts a throwaway PostgreSQL cluster)
//
// Steps: create a fresh database, migrate it with erp, start erp, sign in as
// the demo admin, create a client and equipment through the API, copy N
// interventions straight into the table, start the baseline, then load each
// endpoint on each server in turn (erp, baseline, erp, baseline) and keep the
// better of each server's two rounds.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

const secret = "load-test-secret-0123456789abcdef0123456789"

type options struct {
	erpBin, baselineBin, pgURL string
	logLevel                   string
	rows, conc                 int
	dur                        time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.erpBin, "erp", "bin/erp", "erp binary")
	flag.StringVar(&o.baselineBin, "baseline", "bin/baseline", "baseline binary")
	flag.StringVar(&o.pgURL, "pg", os.Getenv("ERPTEST_POSTGRES_URL"), "PostgreSQL admin URL")
	flag.IntVar(&o.rows, "rows", 100000, "interventions to seed")
	flag.IntVar(&o.conc, "c", 8, "concurrent clients")
	flag.DurationVar(&o.dur, "d", 8*time.Second, "duration of each load phase")
	flag.StringVar(&o.logLevel, "log-level", "info", "erp's log.level during the test")
	flag.Parse()
	if o.pgURL == "" {
		log.Fatal("no PostgreSQL URL: run through scripts/with-pgtest.sh or pass -pg")
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

func run(o options) error {
	ctx := context.Background()
	dbURL, err := freshDatabase(ctx, o.pgURL, "erp_load")
	if err != nil {
		return err
	}
	env := append(environ(), "ERP_DATABASE__URL="+dbURL, "ERP_AUTH__JWT_SECRET="+secret,
		"ERP_LOG__FORMAT=json", "ERP_LOG__LEVEL="+o.logLevel)
	if out, err := command(env, o.erpBin, "migrate", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("migrate: %v: %s", err, out)
	}
	erpAddr, erpPID, stopErp, err := start(env, o.erpBin, "serve", "--addr")
	if err != nil {
		return err
	}
	defer stopErp()
	token, err := signIn("http://" + erpAddr)
	if err != nil {
		return err
	}
	equip, err := createEquipment("http://"+erpAddr, token)
	if err != nil {
		return err
	}
	log.Printf("seeding %d interventions", o.rows)
	if err := seed(ctx, dbURL, equip, o.rows); err != nil {
		return err
	}
	baseAddr, basePID, stopBase, err := start(env, o.baselineBin, "-db", dbURL, "-secret",
		secret, "-addr")
	if err != nil {
		return err
	}
	defer stopBase()

	servers := map[string]string{"erp": "http://" + erpAddr, "baseline": "http://" + baseAddr}
	pids := map[string]int{"erp": erpPID, "baseline": basePID}
	results := map[string]map[string]result{"erp": {}, "baseline": {}}
	for _, sc := range scenarios(o.rows, equip) {
		for round := 0; round < 2; round++ {
			for _, name := range []string{"erp", "baseline"} {
				cpu0 := cpuTime(pids[name])
				r := load(servers[name], token, sc, o.conc, o.dur)
				r.cpuPerReq = (cpuTime(pids[name]) - cpu0) / time.Duration(max(r.count, 1))
				if prev, ok := results[name][sc.name]; !ok || r.rps > prev.rps {
					results[name][sc.name] = r
				}
			}
		}
	}
	report(results, o)
	return nil
}

// scenario is one hot path.
type scenario struct {
	name string
	req  func(base string) *http.Request
	want int
}

func scenarios(rows int, equip int64) []scenario {
	get := func(path string) func(string) *http.Request {
		return func(base string) *http.Request {
			r, _ := http.NewRequest(http.MethodGet, base+path, nil)
			return r
		}
	}
	body := fmt.Sprintf(`{"equipement_id": %d, "titre": "Contrôle pompe", `+
		`"description": "Vibrations anormales relevées sur la pompe principale.", `+
		`"type_intervention": "corrective", "priorite": "normale", "urgence": false}`, equip)
	return []scenario{
		{"token check (GET /auth/me)", get("/api/v1/auth/me"), 200},
		{"get one (GET /interventions/{id})", func(base string) *http.Request {
			id := 1 + rand.IntN(rows)
			r, _ := http.NewRequest(http.MethodGet,
				fmt.Sprintf("%s/api/v1/interventions/%d", base, id), nil)
			return r
		}, 200},
		{"filtered list (statut=ouverte, 50 + total)",
			get("/api/v1/interventions/?statut=ouverte&limit=50"), 200},
		{"create (POST /interventions/)", func(base string) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+"/api/v1/interventions/",
				strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 201},
	}
}

type result struct {
	rps       float64
	count     int
	p50, p99  time.Duration
	cpuPerReq time.Duration
	errors    int
}

// load runs conc clients against base for dur and measures each request.
func load(base, token string, sc scenario, conc int, dur time.Duration) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	deadline := time.Now().Add(dur)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				req := sc.req(base)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mine = append(mine, time.Since(t0))
				if err != nil || resp.StatusCode != sc.want {
					bad++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return result{rps: float64(len(lat)) / dur.Seconds(), count: len(lat), p50: lat[len(lat)/2],
		p99: lat[len(lat)*99/100], errors: errs}
}

func report(results map[string]map[string]result, o options) {
	fmt.Printf("\n%d interventions, %d clients, %s per phase, best of 2 rounds, "+
		"erp log level %s\n\n", o.rows, o.conc, o.dur, o.logLevel)
	fmt.Printf("%-44s %10s %10s %7s %9s %9s %9s %9s %9s %9s\n", "scenario", "erp req/s",
		"base req/s", "ratio", "erp p50", "base p50", "erp p99", "base p99", "erp cpu",
		"base cpu")
	for _, sc := range scenarios(1, 1) {
		e, b := results["erp"][sc.name], results["baseline"][sc.name]
		us := time.Microsecond
		fmt.Printf("%-44s %10.0f %10.0f %6.0f%% %9s %9s %9s %9s %9s %9s\n", sc.name, e.rps,
			b.rps, 100*e.rps/b.rps, e.p50.Round(us), b.p50.Round(us), e.p99.Round(us),
			b.p99.Round(us), e.cpuPerReq.Round(us), b.cpuPerReq.Round(us))
		if e.errors+b.errors > 0 {
			fmt.Printf("  errors: erp %d, baseline %d\n", e.errors, b.errors)
		}
	}
	fmt.Println("\nratio = erp throughput as a share of the baseline's; cpu = server " +
		"process CPU time per request (user + system), the figure least disturbed by " +
		"other load on the machine.")
}

// environ is the process environment without ERP_* entries, so that the
// servers run with exactly the settings the load test gives them.
func environ() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ERP_") {
			env = append(env, e)
		}
	}
	return env
}

func command(env []string, bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	return cmd
}

// cpuTime returns the user + system CPU time the process pid has used.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: utime is the
	// 12th and stime the 13th of them, in clock ticks (100 per second).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// start runs bin with args and a free loopback address as the last argument,
// and waits until it accepts connections.
func start(env []string, bin string, args ...string) (string, int, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := command(env, bin, append(args, addr)...)
	logf, err := os.CreateTemp("", "loadtest-*.log")
	if err != nil {
		return "", 0, nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() }
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, cmd.Process.Pid, stop, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", 0, nil, fmt.Errorf("%s did not start; see %s", bin, logf.Name())
}

func freshDatabase(ctx context.Context, admin, name string) (string, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
		"CREATE DATABASE " + name} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return "", err
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func signIn(base string) (string, error) {
	resp, err := http.PostForm(base+"/api/v1/auth/token",
		url.Values{"email": {"admin@example.com"}, "password": {"admin123"}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("sign in: status %d, %v", resp.StatusCode, err)
	}
	return t.AccessToken, nil
}

func createEquipment(base, token string) (int64, error) {
	var client struct{ ID int64 }
	if err := post(base+"/api/v1/clients/", token, map[string]any{"nom": "Usine Nord",
		"code": "NORD"}, &client); err != nil {
		return 0, err
	}
	var eq struct{ ID int64 }
	err := post(base+"/api/v1/equipements/", token, map[string]any{"client_id": client.ID,
		"nom": "Pompe principale", "numero_serie": "P-001", "categorie": "pompe",
		"criticite": "haute"}, &eq)
	return eq.ID, err
}

func post(u, token string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST %s: %d %s", u, resp.StatusCode, raw)
	}
	return json.Unmarshal(raw, out)
}

var statuts = []string{"ouverte", "affectee", "en_cours", "en_attente", "cloturee", "annulee",
	"archivee"}

// seed copies rows interventions into the table, spread over every status,
// created a minute apart, then vacuums so counts can use the index alone.
func seed(ctx context.Context, dbURL string, equip int64, rows int) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var client int64
	if err := conn.QueryRow(ctx, "SELECT client_id FROM equipements WHERE id = $1",
		equip).Scan(&client); err != nil {
		return err
	}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	src := pgx.CopyFromSlice(rows, func(i int) ([]any, error) {
		at := base.Add(time.Duration(i) * time.Minute)
		return []any{equip, client, "corrective", statuts[i%len(statuts)], "normale", 3,
			i%10 == 0, fmt.Sprintf("Intervention %d", i),
			"Contrôle et remise en état suivant la gamme de maintenance.", at, at}, nil
	})
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"interventions"}, []string{"equipement_id",
		"client_id", "type_intervention", "statut", "priorite", "priorite_rang", "urgence",
		"titre", "description", "date_creation", "date_modification"}, src)
	if err != nil {
		return fmt.Errorf("copy interventions: %w", err)
	}
	for _, q := range []string{"VACUUM ANALYZE interventions", "VACUUM interventions"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
