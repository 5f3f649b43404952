package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP works out the address a sign-in comes from, for throttling and
// the audit log.
type clientIP struct {
	// trusted are the reverse proxies whose X-Forwarded-For is believed.
	trusted []netip.Prefix
}

// of returns r's client address. The connection's address is the client's
// unless it is a trusted proxy; then X-Forwarded-For is read from the
// right, skipping trusted proxies, and the first other address wins. A
// client can prepend anything to that header, so entries left of the last
// untrusted one are never believed.
func (c clientIP) of(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !c.trusts(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		hop = hop.Unmap()
		if !c.trusts(hop) {
			return hop.String()
		}
		addr = hop
	}
	return addr.String()
}

func (c clientIP) trusts(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
