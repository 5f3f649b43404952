package auth

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIPBelievesOnlyTrustedProxies(t *testing.T) {
	t.Parallel()
	c := clientIP{trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	cases := []struct {
		name, remote, forwarded, want string
	}{
		{"DirectClient", "203.0.113.5:4000", "", "203.0.113.5"},
		{"DirectClientCannotSpoof", "203.0.113.5:4000", "1.2.3.4", "203.0.113.5"},
		{"BehindTheProxy", "10.0.0.2:80", "198.51.100.7", "198.51.100.7"},
		{"SpoofedEntriesLeftOfTheRealClient", "10.0.0.2:80", "1.2.3.4, 198.51.100.7",
			"198.51.100.7"},
		{"ChainOfProxies", "10.0.0.2:80", "198.51.100.7, 10.1.1.1", "198.51.100.7"},
		{"ProxyWithoutHeader", "10.0.0.2:80", "", "10.0.0.2"},
		{"MappedIPv4", "[::ffff:203.0.113.5]:1", "", "203.0.113.5"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.forwarded != "" {
			r.Header.Set("X-Forwarded-For", tc.forwarded)
		}
		if got := c.of(r); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
