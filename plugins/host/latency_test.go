package host

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkBeforeTransition measures what one plugin adds to a request: the
// round trip of BeforeTransition through the host to the example rapport
// plugin and back. Besides ns/op it reports the median and 99th percentile
// of the calls, and the plugin's start time (checksum, exec, handshake,
// mTLS, Describe).
func BenchmarkBeforeTransition(b *testing.B) {
	h, _ := startHost(b, declare(b, "rapport", bin.rapport))
	call := closing(1, "corrective", "haute", longRapport)
	ctx := context.Background()
	var took []time.Duration
	for b.Loop() {
		begin := time.Now()
		if _, err := h.BeforeTransition(ctx, call); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(begin))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(statusOf(b, h, "rapport").StartTime.Milliseconds()), "start-ms")
}
