package host

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// startTimeout bounds the wait for a plugin's handshake line.
//
// Limitation: go-plugin's Client.Start takes no context, so a plugin that
// never completes its handshake can hold the server's shutdown for up to
// startTimeout.
const startTimeout = 5 * time.Second

// passedEnv are the host's environment variables a plugin inherits. The
// rest stays in the host: it holds secrets such as ERP_AUTH__JWT_SECRET.
var passedEnv = []string{"PATH", "HOME", "TMPDIR", "TZ", "LANG", "LC_ALL"}

// instance is one running plugin process.
type instance struct {
	client  *goplugin.Client
	cmd     *exec.Cmd
	rpc     pluginv1.PluginClient
	conn    *grpc.ClientConn
	about   about
	started time.Time
}

// about is what a plugin said of itself in Describe.
type about struct {
	name    string
	version string
	hooks   []protocol.Hook
}

// launch starts the plugin process, checks its checksum, completes the
// handshake and asks it to describe itself. An error wrapping ErrRefused
// means the plugin must not be retried with this configuration.
func (r *runner) launch(ctx context.Context) (*instance, error) {
	if err := r.checkFile(); err != nil {
		return nil, err
	}
	cmd := exec.Command(r.spec.Path)
	cmd.Env = pluginEnv()
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: protocol.Handshake,
		Plugins:         protocol.PluginSet(nil),
		Cmd:             cmd,
		// Limitation: go-plugin hashes the file, then executes it; a file
		// swapped in between runs unchecked. Only administrators may write
		// to the plugins folder.
		SecureConfig:     &goplugin.SecureConfig{Checksum: r.sum, Hash: sha256.New()},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		StartTimeout:     startTimeout,
		Logger:           newSlogLogger(r.log),
		SyncStdout:       newLineWriter(r.log, "stdout"),
		SyncStderr:       newLineWriter(r.log, "stderr"),
	})
	inst, err := r.connect(ctx, client, cmd)
	if err != nil {
		client.Kill()
		return nil, err
	}
	return inst, nil
}

// checkFile refuses a missing or unreadable executable before go-plugin
// hides the reason in a plain message.
func (r *runner) checkFile() error {
	info, err := os.Stat(r.spec.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: executable %q does not exist", ErrRefused, r.spec.Path)
	}
	if err != nil {
		return fmt.Errorf("%w: executable %q: %w", ErrRefused, r.spec.Path, err)
	}
	if info.IsDir() {
		return fmt.Errorf("%w: %q is a directory, not an executable", ErrRefused, r.spec.Path)
	}
	return nil
}

func (r *runner) connect(ctx context.Context, client *goplugin.Client,
	cmd *exec.Cmd) (*instance, error) {
	proto, err := client.Client()
	if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
		return nil, fmt.Errorf("%w: the SHA-256 of %q does not match plugins[].sha256 "+
			"(run sha256sum on the file and update the configuration)", ErrRefused, r.spec.Path)
	}
	if err != nil {
		return nil, fmt.Errorf("start plugin process: %w", handshakeError(err))
	}
	raw, err := proto.Dispense(protocol.PluginKey)
	if err != nil {
		return nil, fmt.Errorf("dispense plugin: %w", err)
	}
	rpc, ok := raw.(pluginv1.PluginClient)
	grpcClient, isGRPC := proto.(*goplugin.GRPCClient)
	if !ok || !isGRPC {
		return nil, fmt.Errorf("dispense plugin: unexpected client %T", raw)
	}
	a, err := describe(ctx, rpc, r.timeout)
	if err != nil {
		return nil, err
	}
	return &instance{client: client, cmd: cmd, rpc: rpc, conn: grpcClient.Conn, about: a,
		started: time.Now()}, nil
}

func describe(ctx context.Context, rpc pluginv1.PluginClient,
	timeout time.Duration) (about, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d, err := rpc.Describe(ctx, &pluginv1.DescribeRequest{})
	if err != nil {
		return about{}, fmt.Errorf("describe plugin: %w", err)
	}
	hooks := protocol.HooksFromProto(d.GetHooks())
	if hooks == nil {
		hooks = []protocol.Hook{} // known to serve nothing, unlike never described
	}
	return about{name: d.GetName(), version: d.GetVersion(), hooks: hooks}, nil
}

// strayOutput starts go-plugin's error for a first line of standard output
// that is not a handshake.
const strayOutput = "Unrecognized remote plugin message: "

// handshakeError shortens go-plugin's many-line message about a broken
// handshake to the line that matters, and says what usually causes it.
func handshakeError(err error) error {
	first, _, _ := strings.Cut(err.Error(), "\n")
	line, ok := strings.CutPrefix(first, strayOutput)
	if !ok {
		return err
	}
	return fmt.Errorf("the plugin wrote %q to standard output instead of the go-plugin "+
		"handshake (a plugin must not print to standard output before serving, or the "+
		"file is not a plugin built for this server)", line)
}

// pluginEnv is the environment of a plugin process.
func pluginEnv() []string {
	env := []string{protocol.HostPIDEnv + "=" + strconv.Itoa(os.Getpid())}
	for _, name := range passedEnv {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// stop ends the process. A graceful stop asks the plugin to shut down and
// gives it a moment; otherwise, or when that does not finish in time, the
// process is killed.
func (in *instance) stop(graceful bool) {
	if !graceful {
		in.kill()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.client.Kill()
	}()
	select {
	case <-done:
	case <-time.After(gracefulStop):
		in.kill()
		<-done
	}
}

// gracefulStop is how long a plugin may take to exit when asked; go-plugin
// itself waits up to two seconds before killing.
const gracefulStop = 3 * time.Second

func (in *instance) kill() {
	if in.cmd.Process != nil && !in.client.Exited() {
		_ = in.cmd.Process.Kill()
	}
}

// pid is the process id, or 0.
func (in *instance) pid() int {
	if in == nil || in.cmd.Process == nil {
		return 0
	}
	return in.cmd.Process.Pid
}
