package registration

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPackageVersion(t *testing.T) {
	tests := []struct{ pkg, version, api, base string }{
		{"google.pubsub.v1", "v1", "google.pubsub.v1", "google.pubsub"},
		{"google.cloud.aiplatform.v1.schema.predict.instance", "v1", "google.cloud.aiplatform.v1", "google.cloud.aiplatform"},
		// Versions googleapis uses besides vN, vNalphaM and vNbetaM.
		{"google.cloud.vision.v1p1beta1", "v1p1beta1", "google.cloud.vision.v1p1beta1", "google.cloud.vision"},
		{"google.devtools.remoteworkers.v1test2", "v1test2", "google.devtools.remoteworkers.v1test2", "google.devtools.remoteworkers"},
		{"google.cloud.speech.v1small", "v1small", "google.cloud.speech.v1small", "google.cloud.speech"},
		{"google.cloud.x.v1op", "v1op", "google.cloud.x.v1op", "google.cloud.x"},
		{"v2", "v2", "v2", ""},
		// Not versions: no digit after v, an upper-case letter, a leading digit.
		{"google.type", "", "", ""},
		{"acme.vault.service", "", "", ""},
		{"acme.v1Beta.x", "", "", ""},
		{"acme.1v.x", "", "", ""},
	}
	for _, tt := range tests {
		if got := PackageVersion(tt.pkg); got != tt.version {
			t.Errorf("PackageVersion(%q) = %q, want %q", tt.pkg, got, tt.version)
		}
		if got := APIVersion(tt.pkg); got != tt.api {
			t.Errorf("APIVersion(%q) = %q, want %q", tt.pkg, got, tt.api)
		}
		if got := APIBase(tt.pkg); got != tt.base {
			t.Errorf("APIBase(%q) = %q, want %q", tt.pkg, got, tt.base)
		}
	}
}

func TestResolveOwner(t *testing.T) {
	pubsub := Owner{Service: "google.pubsub.v1.Publisher", Package: "google.pubsub.v1", DefaultHost: "pubsub.googleapis.com", Gets: true}
	smV1 := Owner{Service: "google.cloud.secretmanager.v1.SecretManagerService", Package: "google.cloud.secretmanager.v1", DefaultHost: "secretmanager.googleapis.com", Gets: true}
	smV1beta2 := Owner{Service: "google.cloud.secretmanager.v1beta2.SecretManagerService", Package: "google.cloud.secretmanager.v1beta2", DefaultHost: "secretmanager.googleapis.com", Gets: true}
	retailV2alpha := Owner{Service: "google.cloud.retail.v2alpha.BranchService", Package: "google.cloud.retail.v2alpha", DefaultHost: "retail.googleapis.com", Gets: true}
	catalog := Owner{Service: "b.v1.Catalog", Package: "b.v1"}
	tests := []struct {
		name       string
		from, typ  string
		candidates []Owner
		owner      string
		rule       string
		ambiguous  []string
	}{
		{name: "same package wins over another version", from: "google.cloud.secretmanager.v1beta2", typ: "secretmanager.googleapis.com/Secret",
			candidates: []Owner{smV1, smV1beta2}, owner: smV1beta2.Service, rule: ResolutionSamePackage},
		{name: "same API and version, another package",
			from: "google.cloud.aiplatform.v1.schema", typ: "aiplatform.googleapis.com/Model",
			candidates: []Owner{{Service: "google.cloud.aiplatform.v1.ModelService", Package: "google.cloud.aiplatform.v1", DefaultHost: "aiplatform.googleapis.com"},
				{Service: "google.cloud.aiplatform.v1beta1.ModelService", Package: "google.cloud.aiplatform.v1beta1", DefaultHost: "aiplatform.googleapis.com"}},
			owner: "google.cloud.aiplatform.v1.ModelService", rule: ResolutionSameAPI},
		{name: "default host of another API", from: "google.cloud.secretmanager.v1", typ: "pubsub.googleapis.com/Topic",
			candidates: []Owner{pubsub}, owner: pubsub.Service, rule: ResolutionDefaultHost},
		{name: "default host, several versions, one of the referrer's version", from: "google.cloud.functions.v1", typ: "secretmanager.googleapis.com/Secret",
			candidates: []Owner{smV1beta2, smV1}, owner: smV1.Service, rule: ResolutionDefaultHost},
		{name: "default host, several versions, none of the referrer's", from: "google.cloud.functions.v2", typ: "secretmanager.googleapis.com/Secret",
			candidates: []Owner{smV1beta2, smV1}, rule: ResolutionUnresolved, ambiguous: []string{smV1.Service, smV1beta2.Service}},
		{name: "another version of the referrer's own API is never credited", from: "google.cloud.retail.v2", typ: "retail.googleapis.com/Branch",
			candidates: []Owner{retailV2alpha}, rule: ResolutionUnresolved, ambiguous: []string{retailV2alpha.Service}},
		{name: "the only owner, without a default host", from: "a.v1", typ: "b.example.com/Product",
			candidates: []Owner{catalog}, owner: catalog.Service, rule: ResolutionOnlyOwner},
		{name: "the only owner on another host is no match", from: "a.v1", typ: "b.example.com/Product",
			candidates: []Owner{pubsub}, rule: ResolutionUnresolved, ambiguous: []string{pubsub.Service}},
		{name: "a Get breaks a tie in the same package", from: "c.v1", typ: "c.example.com/Thing",
			candidates: []Owner{{Service: "c.v1.Lister", Package: "c.v1"}, {Service: "c.v1.Things", Package: "c.v1", Gets: true}},
			owner:      "c.v1.Things", rule: ResolutionSamePackage},
		{name: "a tie that no Get breaks", from: "c.v1", typ: "c.example.com/Thing",
			candidates: []Owner{{Service: "c.v1.B", Package: "c.v1"}, {Service: "c.v1.A", Package: "c.v1"}, {Service: "d.v1.D", Package: "d.v1"}},
			rule:       ResolutionUnresolved, ambiguous: []string{"c.v1.A", "c.v1.B"}},
		{name: "nothing in view", from: "c.v1", typ: "x.example.com/Y", rule: ResolutionUnresolved, ambiguous: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The candidates' order must not matter: try several.
			for range 5 {
				cands := append([]Owner(nil), tt.candidates...)
				rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
				owner, rule, ambiguous := ResolveOwner(tt.from, tt.typ, cands)
				if owner != tt.owner || rule != tt.rule {
					t.Fatalf("ResolveOwner = %q, %q; want %q, %q", owner, rule, tt.owner, tt.rule)
				}
				if tt.ambiguous == nil {
					tt.ambiguous = []string{}
				}
				if ambiguous == nil {
					ambiguous = []string{}
				}
				if diff := cmp.Diff(tt.ambiguous, ambiguous); diff != "" {
					t.Fatalf("ambiguous (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestResolveDependencies resolves an unresolved resource dependency
// across services and leaves an ambiguous one with its candidates.
func TestResolveDependencies(t *testing.T) {
	owner := func(name, pkg, host, typ string) *Service {
		return &Service{Name: name, Package: pkg, DefaultHost: host, Methods: []*Method{
			{Name: "GetX", Kind: KindGet, Resource: &Resource{Type: typ}},
		}}
	}
	unresolved := func(typ string) *Dependency {
		return &Dependency{Service: typ, Kind: DependencyResource, External: true, ResourceType: typ, Resolution: ResolutionUnresolved}
	}
	ref := &Service{Name: "google.cloud.secretmanager.v1.SecretManagerService", Package: "google.cloud.secretmanager.v1",
		Dependencies: []*Dependency{unresolved("pubsub.googleapis.com/Topic"), unresolved("kms.googleapis.com/Key"), unresolved("none.example.com/X")}}
	services := []*Service{
		ref,
		owner("google.pubsub.v1.Publisher", "google.pubsub.v1", "pubsub.googleapis.com", "pubsub.googleapis.com/Topic"),
		owner("google.cloud.kms.v2.Keys", "google.cloud.kms.v2", "kms.googleapis.com", "kms.googleapis.com/Key"),
		owner("google.cloud.kms.v3.Keys", "google.cloud.kms.v3", "kms.googleapis.com", "kms.googleapis.com/Key"),
	}
	ResolveDependencies(services)
	want := []*Dependency{
		{Service: "google.pubsub.v1.Publisher", Kind: DependencyResource, ResourceType: "pubsub.googleapis.com/Topic", Resolution: ResolutionDefaultHost, AcrossFiles: true},
		{Service: "kms.googleapis.com/Key", Kind: DependencyResource, External: true, ResourceType: "kms.googleapis.com/Key", Resolution: ResolutionUnresolved,
			Candidates: []string{"google.cloud.kms.v2.Keys", "google.cloud.kms.v3.Keys"}},
		unresolved("none.example.com/X"),
	}
	if diff := cmp.Diff(want, ref.Dependencies); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
}
