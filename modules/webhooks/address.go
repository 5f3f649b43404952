package webhooks

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress is returned when a webhook would reach an address
// on the local machine or an internal network while
// webhooks.allow_private_addresses is off.
var ErrForbiddenAddress = errors.New("webhook address is on a forbidden range")

// extraForbidden are ranges that netip's predicates do not cover but that
// reach the local machine or no real host: "this network" (0.0.0.0/8, which
// Linux routes to the local host), shared address space behind carrier NAT
// and the limited broadcast address.
var extraForbidden = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("255.255.255.255/32"),
}

// forbidden reports whether a is on a range webhooks may not reach unless
// the configuration allows private addresses: loopback, private (RFC 1918,
// fc00::/7), link-local, unspecified and multicast. IPv4 addresses written
// as IPv6 (::ffff:127.0.0.1) are judged as IPv4.
//
// Limitation: addresses that embed an IPv4 address in other IPv6 forms
// (NAT64 64:ff9b::/96, 6to4 2002::/16) are judged as public IPv6; a host
// whose network translates them could reach an internal IPv4 address.
func forbidden(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range extraForbidden {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// controlDial is a net.Dialer Control function: it runs after DNS
// resolution, just before each connection, with the address actually
// dialled, so a host name that resolves to a forbidden address (or that
// changes its answer between check and use) is refused all the same.
func controlDial(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("check dialled address %q: %w", address, err)
	}
	if forbidden(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}
