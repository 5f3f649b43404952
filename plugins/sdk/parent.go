package sdk

import (
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/erp-interventions/erp/plugins/protocol"
)

// defaultParentInterval is how often a plugin checks that its host lives.
//
// Limitation: the check polls, so an orphaned plugin lingers up to this
// long; a plugin not built with this SDK must watch its parent itself.
const defaultParentInterval = time.Second

// watchParent ends the plugin once the host process is gone. go-plugin
// itself does not: a plugin whose host was killed keeps serving a socket
// nobody reads. The host is gone when the parent process changes (the
// plugin was re-parented) or when the process named by the host in
// protocol.HostPIDEnv no longer exists.
func watchParent(every time.Duration) {
	parent := os.Getppid()
	host, _ := strconv.Atoi(os.Getenv(protocol.HostPIDEnv))
	go func() {
		for range time.Tick(every) {
			if os.Getppid() == parent && (host <= 0 || processExists(host)) {
				continue
			}
			logger.Warn("the host process is gone; the plugin exits",
				slog.Int("parent_pid", parent), slog.Int("host_pid", host))
			os.Exit(0)
		}
	}()
}
