package host

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestBeforeTransitionLatency measures what one plugin adds to a request:
// the round trip of BeforeTransition through the host to the example
// rapport plugin and back, over a few thousand calls.
func TestBeforeTransitionLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	h, _ := startHost(t, declare(t, "rapport", bin.rapport))
	call := closing(1, "corrective", "haute", longRapport)
	ctx := context.Background()

	const n = 3000
	took := make([]time.Duration, 0, n)
	for range n {
		begin := time.Now()
		if _, err := h.BeforeTransition(ctx, call); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(begin))
	}
	slices.Sort(took)
	t.Logf("BeforeTransition over %d calls: median %s, p99 %s, max %s (race detector: %v)",
		n, took[n/2], took[n*99/100], took[n-1], raceEnabled)
	t.Logf("plugin start (checksum, exec, handshake, mTLS, Describe): %s",
		statusOf(t, h, "rapport").StartTime)
}

// BenchmarkBeforeTransition is the same round trip as a benchmark.
func BenchmarkBeforeTransition(b *testing.B) {
	h, _ := startHost(b, declare(b, "rapport", bin.rapport))
	call := closing(1, "corrective", "haute", longRapport)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.BeforeTransition(ctx, call); err != nil {
			b.Fatal(err)
		}
	}
}
