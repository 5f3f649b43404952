// Command garbage is a test-only plugin that breaks the first rule of
// plugins: it writes to standard output before serving, which corrupts
// the handshake.
package main

import (
	"context"
	"fmt"

	"github.com/erp-interventions/erp/plugins/sdk"
)

type plugin struct{ sdk.Base }

func (plugin) AfterTransition(context.Context, *sdk.TransitionRequest) error { return nil }

func main() {
	fmt.Println("starting up, hello!")
	sdk.Serve(plugin{sdk.Base{Name: "garbage", Version: "0.0.1"}})
}
