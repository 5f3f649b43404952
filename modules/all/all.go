// Package all registers the standard modules of the product. The erp binary
// imports it for its side effects; a custom build can import a different set.
package all

import (
	_ "github.com/erp-interventions/erp/modules/auth"          // auth tag
	_ "github.com/erp-interventions/erp/modules/clients"       // clients tag
	_ "github.com/erp-interventions/erp/modules/equipements"   // equipements tag
	_ "github.com/erp-interventions/erp/modules/interventions" // interventions tag
	_ "github.com/erp-interventions/erp/modules/notifications" // notifications tag
	_ "github.com/erp-interventions/erp/modules/plugins"       // out-of-process plugins
	_ "github.com/erp-interventions/erp/modules/techniciens"   // techniciens tag
	_ "github.com/erp-interventions/erp/modules/users"         // users tag
	_ "github.com/erp-interventions/erp/modules/webhooks"      // notifications tag: webhooks
)
