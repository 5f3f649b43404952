package sdk

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// Serve runs p as a plugin of the ERP Interventions server. It is the last
// call of main: it answers the host's handshake on standard output, serves
// the hooks p implements, and returns only when the host stops the plugin.
// The process also exits by itself once the host process is gone.
//
// Run by hand rather than by the server, Serve explains that the binary is
// a plugin and exits with status 1.
func Serve(p Plugin) {
	about := p.About()
	if about.Name == "" {
		fatal("the plugin has no name: fill sdk.Base.Name")
	}
	if len(HooksOf(p)) == 0 {
		fatal("the plugin serves no hook: implement at least one of Validator, "+
			"TransitionGuard, TransitionObserver or FieldComputer",
			slog.String("plugin", about.Name))
	}
	watchParent(defaultParentInterval)

	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: protocol.Handshake,
		Plugins:         protocol.PluginSet(&server{p: p}),
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:       about.Name,
			Output:     logOutput,
			Level:      hclog.Info,
			JSONFormat: true,
		}),
	})
}

// server turns gRPC calls into calls of the plugin's hook methods.
type server struct {
	pluginv1.UnimplementedPluginServer
	p Plugin
}

// Describe names the plugin and lists its hooks.
func (s *server) Describe(context.Context, *pluginv1.DescribeRequest) (
	*pluginv1.DescribeResponse, error) {
	about := s.p.About()
	return &pluginv1.DescribeResponse{
		Name:    about.Name,
		Version: about.Version,
		Hooks:   protocol.HooksToProto(HooksOf(s.p)),
	}, nil
}

// ValidateIntervention calls the plugin's Validator.
func (s *server) ValidateIntervention(ctx context.Context, in *pluginv1.ValidateRequest) (
	out *pluginv1.ValidateResponse, err error) {
	v, ok := s.p.(Validator)
	if !ok {
		return nil, unserved(protocol.HookValidate)
	}
	defer recoverHook(protocol.HookValidate, &err)

	r := request(in.GetContext(), in.GetIntervention())
	r.Operation = in.GetOperation()
	errs, err := v.ValidateIntervention(ctx, r)
	if err != nil {
		return nil, hookError(protocol.HookValidate, err)
	}
	return &pluginv1.ValidateResponse{Errors: protocol.FieldErrorsToProto(errs)}, nil
}

// BeforeTransition calls the plugin's TransitionGuard.
func (s *server) BeforeTransition(ctx context.Context, in *pluginv1.TransitionRequest) (
	out *pluginv1.BeforeTransitionResponse, err error) {
	g, ok := s.p.(TransitionGuard)
	if !ok {
		return nil, unserved(protocol.HookBeforeTransition)
	}
	defer recoverHook(protocol.HookBeforeTransition, &err)

	d, err := g.BeforeTransition(ctx, transitionRequest(in))
	if err != nil {
		return nil, hookError(protocol.HookBeforeTransition, err)
	}
	return &pluginv1.BeforeTransitionResponse{Veto: d.Veto, Reason: d.Reason}, nil
}

// AfterTransition calls the plugin's TransitionObserver.
func (s *server) AfterTransition(ctx context.Context, in *pluginv1.TransitionRequest) (
	out *pluginv1.AfterTransitionResponse, err error) {
	o, ok := s.p.(TransitionObserver)
	if !ok {
		return nil, unserved(protocol.HookAfterTransition)
	}
	defer recoverHook(protocol.HookAfterTransition, &err)

	if err := o.AfterTransition(ctx, transitionRequest(in)); err != nil {
		return nil, hookError(protocol.HookAfterTransition, err)
	}
	return &pluginv1.AfterTransitionResponse{}, nil
}

// ComputeFields calls the plugin's FieldComputer.
func (s *server) ComputeFields(ctx context.Context, in *pluginv1.ComputeRequest) (
	out *pluginv1.ComputeResponse, err error) {
	c, ok := s.p.(FieldComputer)
	if !ok {
		return nil, unserved(protocol.HookComputeFields)
	}
	defer recoverHook(protocol.HookComputeFields, &err)

	fields, err := c.ComputeFields(ctx, request(in.GetContext(), in.GetIntervention()))
	if err != nil {
		return nil, hookError(protocol.HookComputeFields, err)
	}
	st, err := protocol.StructFromMap(fields)
	if err != nil {
		return nil, hookError(protocol.HookComputeFields, err)
	}
	return &pluginv1.ComputeResponse{Fields: st}, nil
}

func request(c *pluginv1.Context, iv *pluginv1.Intervention) *Request {
	return &Request{
		Role:         c.GetRole(),
		ClientID:     c.GetClientId(),
		Criticite:    c.GetCriticite(),
		Config:       protocol.MapFromStruct(c.GetConfig()),
		Intervention: protocol.InterventionFromProto(iv),
	}
}

func transitionRequest(in *pluginv1.TransitionRequest) *TransitionRequest {
	return &TransitionRequest{
		Request:    *request(in.GetContext(), in.GetIntervention()),
		Transition: protocol.TransitionFromProto(in.GetTransition()),
	}
}

func unserved(h Hook) error {
	return status.Errorf(codes.Unimplemented, "this plugin does not serve %s", h)
}

// hookError reports a hook's own error to the host, which applies the
// plugin's failure policy.
func hookError(h Hook, err error) error {
	logger.Error("hook failed", slog.String("hook", string(h)), slog.Any("error", err))
	return status.Errorf(codes.Internal, "%s: %v", h, err)
}

// recoverHook turns a panic in a hook into an error, so that one bad input
// does not end the process.
func recoverHook(h Hook, err *error) {
	r := recover()
	if r == nil {
		return
	}
	logger.Error("hook panicked", slog.String("hook", string(h)),
		slog.String("panic", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
	*err = status.Errorf(codes.Internal, "%s panicked: %v", h, r)
}
