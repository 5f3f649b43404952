package interventions_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/db/dbtest"
)

// BenchmarkBeforeTransitionOverHTTP measures what a BeforeTransition
// plugin adds to a transition over HTTP. One server runs the example
// rapport-cloture plugin for one client; each iteration suspends and
// resumes an intervention of that client and one of a client without
// plugins, and the per-request times of both are reported side by side.
//
//	go test -run '^$' -bench BeforeTransitionOverHTTP -benchtime 1000x \
//	  ./modules/interventions/
func BenchmarkBeforeTransitionOverHTTP(b *testing.B) {
	bins := buildPluginBins(b, b.TempDir())
	w := setup(b, dbtest.SQLite(b))
	w.withPlugins(b, declare("rapport-cloture", bins.rapport, w.clientID, nil))
	with, without := w.started(b, w.equipID), w.started(b, w.otherEquip)

	var dWith, dWithout []time.Duration
	for b.Loop() {
		dWith = append(dWith, w.pauseResume(b, with)...)
		dWithout = append(dWithout, w.pauseResume(b, without)...)
	}
	mWith, pWith := quantiles(dWith)
	mWithout, pWithout := quantiles(dWithout)
	b.ReportMetric(float64(mWith.Microseconds()), "µs-median-plugin")
	b.ReportMetric(float64(pWith.Microseconds()), "µs-p99-plugin")
	b.ReportMetric(float64(mWithout.Microseconds()), "µs-median-none")
	b.ReportMetric(float64(pWithout.Microseconds()), "µs-p99-none")
	b.Logf("%d transitions each: with the plugin median %v p99 %v; without median %v p99 %v;"+
		" added median %v", len(dWith), mWith, pWith, mWithout, pWithout, mWith-mWithout)
}

// started creates an intervention on equipment and starts it.
func (w *world) started(b *testing.B, equipID int64) int64 {
	iv := w.create(b, w.responsable, validCreate(equipID))
	w.mustAct(b, w.responsable, iv.ID, "affecter", map[string]any{"technicien_id": w.techID})
	w.mustAct(b, w.tech, iv.ID, "demarrer", nil)
	return iv.ID
}

// pauseResume suspends and resumes intervention id, timing each request.
func (w *world) pauseResume(b *testing.B, id int64) []time.Duration {
	out := make([]time.Duration, 0, 2)
	for _, step := range []struct {
		action string
		body   any
	}{{"suspendre", map[string]any{"motif": "Pièce commandée"}}, {"reprendre", nil}} {
		start := time.Now()
		r := w.act(b, w.tech, id, step.action, step.body)
		out = append(out, time.Since(start))
		if r.StatusCode != http.StatusOK {
			b.Fatalf("%s = %d: %s", step.action, r.StatusCode, r.Body)
		}
	}
	return out
}

// quantiles returns the median and the 99th percentile of d.
func quantiles(d []time.Duration) (median, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*99/100)]
}
