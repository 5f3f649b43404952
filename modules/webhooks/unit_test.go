package webhooks

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestForbiddenRanges(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true}, {"127.8.9.10", true}, {"::1", true},
		{"10.0.0.1", true}, {"172.16.0.1", true}, {"172.31.255.255", true},
		{"192.168.0.1", true}, {"fc00::1", true}, {"fd12:3456::1", true},
		{"169.254.169.254", true}, {"fe80::1", true},
		{"0.0.0.0", true}, {"::", true}, {"0.1.2.3", true},
		{"224.0.0.1", true}, {"239.255.255.250", true}, {"ff02::1", true},
		{"100.64.0.1", true}, {"255.255.255.255", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.0.0.1", true},
		{"93.184.216.34", false}, {"172.32.0.1", false}, {"8.8.8.8", false},
		{"2606:4700::1111", false}, {"::ffff:8.8.8.8", false},
	}
	for _, tc := range cases {
		if got := forbidden(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("forbidden(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestControlDialJudgesTheResolvedAddress(t *testing.T) {
	t.Parallel()
	for _, a := range []string{"127.0.0.1:443", "[::1]:80", "[fe80::1%eth0]:80"} {
		if err := controlDial("tcp", a, nil); !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("controlDial(%s) = %v, want ErrForbiddenAddress", a, err)
		}
	}
	if err := controlDial("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("public address refused: %v", err)
	}
}

func TestBackoffDoublesUpToADay(t *testing.T) {
	t.Parallel()
	base := time.Second
	for n, want := range map[int]time.Duration{1: base, 2: 2 * base, 4: 8 * base,
		40: maxBackoff} {
		got := backoff(base, n)
		if got < want || got > want+want/10 {
			t.Errorf("backoff after attempt %d = %s, want %s plus at most a tenth", n, got,
				want)
		}
	}
}

// TestSignMatchesAReferenceValue pins the signature to a value computed
// by another HMAC implementation (Python's hmac module).
func TestSignMatchesAReferenceValue(t *testing.T) {
	t.Parallel()
	got := Sign("whsec-test-0123456789", "1700000000", []byte(`{"id":"e1"}`))
	want := "sha256=95a5f4df7c53f774b168fd1ee77aceee3574a26e4540f2c58dc5206917fd7ed7"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestTruncateKeepsWholeCharacters(t *testing.T) {
	t.Parallel()
	if got := truncate("délai dépassé", 2); got != "d" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("court", 10); got != "court" {
		t.Errorf("truncate = %q", got)
	}
}
