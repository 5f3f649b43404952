package interventions_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/plugins/host"
)

// pluginBins are the plugin executables a test built, with their SHA-256.
type pluginBins struct {
	rapport, reference, behave pluginBin
}

type pluginBin struct{ path, sum string }

// buildPluginBins builds the two example plugins and the test plugin
// behave with go build into dir, in parallel. Under -race they are built
// with -race too, which reuses the packages the test binary compiled.
func buildPluginBins(t testing.TB, dir string) pluginBins {
	t.Helper()
	const base = "github.com/erp-interventions/erp/plugins/"
	var bins pluginBins
	targets := map[*pluginBin]string{
		&bins.rapport:   base + "examples/rapportcloture",
		&bins.reference: base + "examples/referenceclient",
		&bins.behave:    base + "internal/testplugins/behave",
	}
	var wg sync.WaitGroup
	for out, pkg := range targets {
		out.path = filepath.Join(dir, filepath.Base(pkg))
		wg.Go(func() {
			args := []string{"build", "-o", out.path}
			if raceEnabled {
				args = append(args, "-race")
			}
			msg, err := exec.Command("go", append(args, pkg)...).CombinedOutput()
			if err != nil {
				t.Errorf("go build %s: %v\n%s", pkg, err, msg)
				return
			}
			out.sum = fileSum(t, out.path)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return bins
}

func fileSum(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// declare is the configuration entry of one plugin for the client.
func declare(name string, bin pluginBin, clientID int64, cfg map[string]any) map[string]any {
	return map[string]any{"name": name, "path": bin.path, "sha256": bin.sum,
		"clients": []any{clientID}, "failure_policy": "fail_closed", "config": cfg}
}

// withPlugins starts a second server on w's database with the plugins
// declared, and points w at it. The world is built first because the
// plugins' clients lists need the client ids it creates.
func (w *world) withPlugins(t testing.TB, plugins ...map[string]any) {
	t.Helper()
	list := make([]any, len(plugins))
	for i, p := range plugins {
		list[i] = p
	}
	w.s = apptest.Start(t, apptest.Options{DatabaseURL: w.target.URL,
		Overrides: map[string]any{"plugins": list}})
}

// pluginHost returns the plugin host of w's server.
func (w *world) pluginHost(t testing.TB) *host.Host {
	t.Helper()
	h, err := module.Service[*host.Host](w.s.App.Services, host.ServiceName)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// withExtensions is an intervention with its extensions object.
type withExtensions struct {
	intervention
	Extensions map[string]any `json:"extensions"`
}

func TestPluginsOverHTTP(t *testing.T) {
	t.Parallel()
	bins := buildPluginBins(t, t.TempDir())
	t.Run("Hooks", func(t *testing.T) {
		t.Parallel()
		dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
			testHooks(t, target, bins)
		})
	})
	t.Run("PluginKilledMidRequest", func(t *testing.T) {
		t.Parallel()
		testPluginKilled(t, dbtest.SQLite(t), bins)
	})
}

// testHooks proves each hook over HTTP, and that the plugins declared for
// one client leave another client's interventions alone.
func testHooks(t *testing.T, target dbtest.Target, bins pluginBins) {
	w := setup(t, target)
	record := filepath.Join(t.TempDir(), "after.log")
	w.withPlugins(t,
		declare("rapport-cloture", bins.rapport, w.clientID, nil),
		declare("reference-client", bins.reference, w.clientID,
			map[string]any{"prefix": "ACME"}),
		declare("behave", bins.behave, w.clientID, map[string]any{"record": record}))

	mine := checkValidationAndFields(t, w)
	checkVeto(t, w, mine.ID)
	other := checkOtherClient(t, w)

	// AfterTransition arrives through a job, after commit: three steps
	// of mine, not the vetoed closing, nothing of the other client's.
	want := []string{itoa(mine.ID) + " affecter affectee", itoa(mine.ID) + " demarrer en_cours",
		itoa(mine.ID) + " cloturer cloturee"}
	var got []string
	waitUntil(t, 15*time.Second, "the AfterTransition jobs", func() bool {
		b, _ := os.ReadFile(record)
		got = strings.Split(strings.TrimSpace(string(b)), "\n")
		return len(got) >= len(want)
	})
	time.Sleep(200 * time.Millisecond) // a stray job for the other client would land now
	b, _ := os.ReadFile(record)
	got = strings.Split(strings.TrimSpace(string(b)), "\n")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("AfterTransition told %q, want %q (nothing of %d)", got, want, other)
	}
}

// checkValidationAndFields creates an intervention through the plugins
// and returns it.
func checkValidationAndFields(t *testing.T, w *world) withExtensions {
	t.Helper()
	bad := validCreate(w.equipID)
	bad["titre"] = "invalide" // refused by the behave plugin
	r := w.s.Do(t, apptestPost("/api/v1/interventions/", bad, w.responsable.Token))
	wantStatus(t, r, http.StatusBadRequest)
	wantLoc(t, r, []string{"body", "titre"}, "plugin_validation")

	r = w.s.Do(t, apptestPost("/api/v1/interventions/", validCreate(w.equipID),
		w.responsable.Token))
	wantStatus(t, r, http.StatusCreated)
	var iv withExtensions
	r.JSON(t, &iv)
	ref, _ := iv.Extensions["reference_client"].(string)
	if !strings.HasPrefix(ref, "ACME-") || !strings.HasSuffix(ref, "-"+pad6(iv.ID)) ||
		iv.Extensions["pid"] == nil {
		t.Fatalf("created with extensions %v, want a computed reference_client and pid",
			iv.Extensions)
	}

	r = w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: ivPath(iv.ID),
		Token: w.responsable.Token,
		Body:  map[string]any{"extensions": map[string]any{"reference_client": "X-1"}}})
	wantStatus(t, r, http.StatusBadRequest)
	wantLoc(t, r, []string{"body", "extensions", "reference_client"}, "reference_format")

	r = w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: ivPath(iv.ID),
		Token: w.responsable.Token, Body: map[string]any{
			"extensions": map[string]any{"reference_client": " acme-2026-000042 "}}})
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &iv)
	if iv.Extensions["reference_client"] != "ACME-2026-000042" {
		t.Fatalf("after PATCH, extensions %v, want the reference normalised", iv.Extensions)
	}
	var read withExtensions
	w.get(t, w.client, ivPath(iv.ID)).JSON(t, &read)
	if read.Extensions["reference_client"] != "ACME-2026-000042" {
		t.Fatalf("GET shows extensions %v", read.Extensions)
	}
	return iv
}

// checkVeto closes a corrective intervention on haute equipment: refused
// with a short rapport, accepted with a long one.
func checkVeto(t *testing.T, w *world, id int64) {
	t.Helper()
	w.mustAct(t, w.responsable, id, "affecter", map[string]any{"technicien_id": w.techID})
	w.mustAct(t, w.tech, id, "demarrer", nil)

	r := w.act(t, w.tech, id, "cloturer", map[string]any{"rapport": "Joint remplacé."})
	wantStatus(t, r, http.StatusConflict)
	p := r.Problem(t)
	detail, _ := p["detail"].(string)
	if p["plugin"] != "rapport-cloture" || !strings.Contains(detail, "au moins 50 caractères") {
		t.Fatalf("veto problem %v, want the plugin's reason and name", p)
	}
	var iv intervention
	w.get(t, w.tech, ivPath(id)).JSON(t, &iv)
	if iv.Statut != "en_cours" {
		t.Fatalf("after the veto the intervention is %s, want en_cours", iv.Statut)
	}

	long := "Joint de la pompe remplacé, essais de pression concluants sur deux heures."
	if got := w.mustAct(t, w.tech, id, "cloturer", map[string]any{"rapport": long}); got.Statut !=
		"cloturee" {
		t.Fatalf("closed with a long rapport: %+v", got)
	}
}

// checkOtherClient runs the same steps for a client no plugin applies to,
// whose equipment is haute as well, and returns the intervention's id.
func checkOtherClient(t *testing.T, w *world) int64 {
	t.Helper()
	bad := validCreate(w.otherEquip)
	bad["titre"] = "invalide"
	var iv withExtensions
	r := w.s.Do(t, apptestPost("/api/v1/interventions/", bad, w.responsable.Token))
	wantStatus(t, r, http.StatusCreated)
	r.JSON(t, &iv)
	if iv.Extensions != nil {
		t.Errorf("another client's intervention has extensions %v", iv.Extensions)
	}
	w.mustAct(t, w.responsable, iv.ID, "affecter", map[string]any{"technicien_id": w.techID})
	w.mustAct(t, w.tech, iv.ID, "demarrer", nil)
	w.mustAct(t, w.tech, iv.ID, "cloturer", map[string]any{"rapport": "Joint remplacé."})
	return iv.ID
}

// testPluginKilled kills a fail_closed plugin in the middle of a
// transition: the request answers 503 and changes nothing, the plugin is
// restarted, and the same step then succeeds.
func testPluginKilled(t *testing.T, target dbtest.Target, bins pluginBins) {
	w := setup(t, target)
	w.withPlugins(t, declare("behave", bins.behave, w.clientID, nil))
	iv := w.create(t, w.responsable, validCreate(w.equipID))
	w.mustAct(t, w.responsable, iv.ID, "affecter", map[string]any{"technicien_id": w.techID})
	w.mustAct(t, w.tech, iv.ID, "demarrer", nil)

	r := w.act(t, w.tech, iv.ID, "suspendre", map[string]any{"motif": "exit"})
	killed := time.Now()
	wantStatus(t, r, http.StatusServiceUnavailable)
	if p := r.Problem(t); p["plugin"] != "behave" {
		t.Errorf("503 problem %v, want the plugin named", p)
	}
	var read intervention
	w.get(t, w.tech, ivPath(iv.ID)).JSON(t, &read)
	if read.Statut != "en_cours" {
		t.Fatalf("after the 503 the intervention is %s, want en_cours", read.Statut)
	}

	h := w.pluginHost(t)
	waitUntil(t, 10*time.Second, "the plugin's restart", func() bool {
		s := h.Status()[0]
		return s.State == host.StateRunning && s.Restarts == 1
	})
	s := h.Status()[0]
	t.Logf("plugin back %v after the crash; its launch took %v", time.Since(killed),
		s.StartTime)
	w.mustAct(t, w.tech, iv.ID, "suspendre", map[string]any{"motif": "Pièce commandée"})
}

func wantLoc(t *testing.T, r *apptest.Response, loc []string, kind string) {
	t.Helper()
	var p struct {
		Errors []struct {
			Loc  []string `json:"loc"`
			Type string   `json:"type"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	for _, e := range p.Errors {
		if slices.Equal(e.Loc, loc) && e.Type == kind {
			return
		}
	}
	t.Fatalf("400 body %s does not name %v (%s)", r.Body, loc, kind)
}

func waitUntil(t testing.TB, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pad6(id int64) string {
	s := itoa(id)
	return strings.Repeat("0", max(0, 6-len(s))) + s
}
