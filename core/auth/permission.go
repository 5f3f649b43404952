package auth

import (
	"fmt"
	"sort"
	"strings"
)

// Permission names one kind of operation, "<resource>:<action>". Each
// protected operation declares the permission it needs; roles are granted
// permissions in the table below, the one place that says who may do what.
type Permission = string

// The permissions of the product.
const (
	UsersRead  Permission = "users:read"
	UsersWrite Permission = "users:write"
	AuditRead  Permission = "audit:read"

	ClientsRead  Permission = "clients:read"
	ClientsWrite Permission = "clients:write"

	EquipementsRead  Permission = "equipements:read"
	EquipementsWrite Permission = "equipements:write"

	TechniciensRead  Permission = "techniciens:read"
	TechniciensWrite Permission = "techniciens:write"
	// TechniciensSelf lets a technician edit their own profile's contact
	// fields.
	TechniciensSelf Permission = "techniciens:self"

	InterventionsRead    Permission = "interventions:read"
	InterventionsCreate  Permission = "interventions:create"
	InterventionsUpdate  Permission = "interventions:update"
	InterventionsAssign  Permission = "interventions:assign"
	InterventionsForce   Permission = "interventions:force_assign"
	InterventionsWork    Permission = "interventions:work"
	InterventionsCancel  Permission = "interventions:cancel"
	InterventionsArchive Permission = "interventions:archive"
	InterventionsComment Permission = "interventions:comment"

	PlanningRead  Permission = "planning:read"
	PlanningWrite Permission = "planning:write"

	NotificationsRead Permission = "notifications:read"
	WebhooksManage    Permission = "webhooks:manage"
	JobsAdmin         Permission = "jobs:admin"

	DocumentsRead  Permission = "documents:read"
	DocumentsWrite Permission = "documents:write"

	FiltresRead Permission = "filtres:read"
)

// defaultGrants is the permission table. Admins hold every permission;
// the other roles hold what is listed. Finer rules that depend on the data
// (a technician works only on interventions assigned to them, a client
// cancels only its own open ones) are checked by the module on top.
var defaultGrants = map[Role][]Permission{
	RoleResponsable: {
		UsersRead, ClientsRead, ClientsWrite, EquipementsRead, EquipementsWrite,
		TechniciensRead, TechniciensWrite, InterventionsRead, InterventionsCreate,
		InterventionsUpdate, InterventionsAssign, InterventionsCancel, InterventionsArchive,
		InterventionsComment, PlanningRead, PlanningWrite, NotificationsRead,
		DocumentsRead, DocumentsWrite, FiltresRead,
	},
	RoleTechnicien: {
		ClientsRead, EquipementsRead, TechniciensRead, TechniciensSelf, InterventionsRead,
		InterventionsWork, InterventionsComment, PlanningRead, NotificationsRead,
		DocumentsRead, DocumentsWrite, FiltresRead,
	},
	RoleClient: {
		ClientsRead, EquipementsRead, InterventionsRead, InterventionsCreate,
		InterventionsCancel, InterventionsComment, NotificationsRead, DocumentsRead,
		DocumentsWrite, FiltresRead,
	},
}

// AllPermissions lists every permission the product defines.
var AllPermissions = []Permission{
	UsersRead, UsersWrite, AuditRead, ClientsRead, ClientsWrite, EquipementsRead,
	EquipementsWrite, TechniciensRead, TechniciensWrite, TechniciensSelf, InterventionsRead,
	InterventionsCreate, InterventionsUpdate, InterventionsAssign, InterventionsForce,
	InterventionsWork, InterventionsCancel, InterventionsArchive, InterventionsComment,
	PlanningRead, PlanningWrite, NotificationsRead, WebhooksManage, JobsAdmin,
	DocumentsRead, DocumentsWrite, FiltresRead,
}

// Grants answers whether a role holds a permission.
type Grants struct {
	byRole map[Role]map[Permission]bool
}

// NewGrants returns the default table extended with extra, the auth.grants
// configuration key: role name → additional permissions. Unknown roles or
// permissions are errors naming them.
func NewGrants(extra map[string][]string) (*Grants, error) {
	known := map[Permission]bool{}
	for _, p := range AllPermissions {
		known[p] = true
	}
	g := &Grants{byRole: map[Role]map[Permission]bool{}}
	for _, r := range Roles {
		g.byRole[r] = map[Permission]bool{}
	}
	for _, p := range AllPermissions {
		g.byRole[RoleAdmin][p] = true
	}
	for r, ps := range defaultGrants {
		for _, p := range ps {
			g.byRole[r][p] = true
		}
	}
	var problems []string
	for _, name := range sortedNames(extra) {
		r := Role(name)
		if !r.Valid() {
			problems = append(problems, fmt.Sprintf("auth.grants: unknown role %q", name))
			continue
		}
		for _, p := range extra[name] {
			if !known[p] {
				problems = append(problems,
					fmt.Sprintf("auth.grants.%s: unknown permission %q", name, p))
				continue
			}
			g.byRole[r][p] = true
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return g, nil
}

// Allows reports whether role holds perm. The empty permission, which
// protected operations open to every signed-in user declare, is always held.
func (g *Grants) Allows(role Role, perm Permission) bool {
	return perm == "" || g.byRole[role][perm]
}

// Of returns the permissions of role, sorted.
func (g *Grants) Of(role Role) []Permission {
	out := make([]Permission, 0, len(g.byRole[role]))
	for p := range g.byRole[role] {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func sortedNames(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
