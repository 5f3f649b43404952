// Package protocol is what the plugin host and the plugin SDK share: the
// go-plugin handshake, the gRPC glue that go-plugin dispenses, and the Go
// form of the messages of plugins/proto/erp/plugin/v1 with their
// conversions.
//
// A plugin written in Go never imports this package directly; it imports
// plugins/sdk, which re-exports what a plugin author needs.
package protocol

import (
	"context"
	"fmt"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
)

// Version is the protocol version both sides announce in the handshake.
// It changes only when a message or a hook changes incompatibly.
const Version = 1

// PluginKey is the name under which go-plugin dispenses the one plugin
// type every plugin binary serves.
const PluginKey = "erp"

// HostPIDEnv is the environment variable through which the host tells a
// plugin its process id, so that the plugin can exit once the host is gone.
const HostPIDEnv = "ERP_PLUGIN_HOST_PID"

// Handshake is the go-plugin handshake. The cookie is not a secret: it
// only stops a plugin binary from running when started by hand.
var Handshake = goplugin.HandshakeConfig{
	ProtocolVersion:  Version,
	MagicCookieKey:   "ERP_INTERVENTIONS_PLUGIN",
	MagicCookieValue: "6c1b7f0e-erp-interventions-plugin-v1",
}

// GRPC adapts the generated service to go-plugin: the plugin side sets
// Impl, the host side leaves it nil and receives a pluginv1.PluginClient.
type GRPC struct {
	goplugin.NetRPCUnsupportedPlugin
	// Impl is the plugin's implementation; nil on the host side.
	Impl pluginv1.PluginServer
}

var _ goplugin.GRPCPlugin = (*GRPC)(nil)

// GRPCServer registers the plugin's implementation.
func (g *GRPC) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	if g.Impl == nil {
		return fmt.Errorf("register plugin service: no implementation given")
	}
	pluginv1.RegisterPluginServer(s, g.Impl)
	return nil
}

// GRPCClient returns the host's client of the plugin service.
func (g *GRPC) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker,
	conn *grpc.ClientConn) (any, error) {
	return pluginv1.NewPluginClient(conn), nil
}

// PluginSet is the set go-plugin needs on either side; impl is nil on the
// host side.
func PluginSet(impl pluginv1.PluginServer) goplugin.PluginSet {
	return goplugin.PluginSet{PluginKey: &GRPC{Impl: impl}}
}
