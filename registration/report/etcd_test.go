package report_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/registration/report"
)

// TestWritePublish checks publish's report in every format: each list
// empty rather than null.
func TestWritePublish(t *testing.T) {
	p := report.Publish{Source: "shop", Prefix: "/registration/v1", Put: []string{"shop.v1.Shelf"}, Pruned: []string{"shop.v1.Old"}}
	want := map[string]string{
		"table": "SERVICE        ACTION\nshop.v1.Shelf  put\nshop.v1.Old    pruned\n1 put, 0 unchanged, 1 pruned; source \"shop\" under /registration/v1\n",
		"json":  "{\n  \"source\": \"shop\",\n  \"prefix\": \"/registration/v1\",\n  \"put\": [\n    \"shop.v1.Shelf\"\n  ],\n  \"unchanged\": [],\n  \"pruned\": [\n    \"shop.v1.Old\"\n  ]\n}\n",
		"yaml":  "source: shop\nprefix: /registration/v1\nput:\n  - shop.v1.Shelf\nunchanged: []\npruned:\n  - shop.v1.Old\n",
	}
	for format, w := range want {
		var buf bytes.Buffer
		if err := report.WritePublish(&buf, format, p); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", format, diff)
		}
	}
}

// TestWriteServiceChange checks the lines of services --watch in every
// format: a table line, a JSON object a line, a YAML document each.
func TestWriteServiceChange(t *testing.T) {
	changes := []report.ServiceChange{
		{Revision: 5, Change: "put", Service: "shop.v1.Shelf", File: "shop/v1/shelf.proto"},
		{Revision: 7, Change: "delete", Service: "shop.v1.Shelf"},
	}
	want := map[string]string{
		"table": "5         put     shop.v1.Shelf  shop/v1/shelf.proto\n7         delete  shop.v1.Shelf  -\n",
		"json":  "{\"revision\":5,\"change\":\"put\",\"service\":\"shop.v1.Shelf\",\"file\":\"shop/v1/shelf.proto\"}\n{\"revision\":7,\"change\":\"delete\",\"service\":\"shop.v1.Shelf\"}\n",
		"yaml":  "---\nrevision: 5\nchange: put\nservice: shop.v1.Shelf\nfile: shop/v1/shelf.proto\n---\nrevision: 7\nchange: delete\nservice: shop.v1.Shelf\n",
	}
	for format, w := range want {
		var buf bytes.Buffer
		for _, c := range changes {
			if err := report.WriteServiceChange(&buf, format, c); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(w, buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", format, diff)
		}
	}
	if err := report.WriteServiceChange(&bytes.Buffer{}, "xml", changes[0]); err == nil {
		t.Error("format xml: no error")
	}
}

// TestWriteInstances checks instances' list and the blocks of --watch in
// every format: empty lists rather than null, "-" for no health.
func TestWriteInstances(t *testing.T) {
	rows := []report.InstanceRow{{ID: "a", Address: "127.0.0.1:9091", Health: "SERVING", Checked: "NOT_SERVING"}, {ID: "b", Address: "127.0.0.1:9092"}}
	want := map[string]string{
		"table": "ID  ADDRESS         HEALTH   CHECKED\na   127.0.0.1:9091  SERVING  NOT_SERVING\nb   127.0.0.1:9092  -        -\n",
		"json":  "[\n  {\n    \"id\": \"a\",\n    \"address\": \"127.0.0.1:9091\",\n    \"health\": \"SERVING\",\n    \"checked\": \"NOT_SERVING\"\n  },\n  {\n    \"id\": \"b\",\n    \"address\": \"127.0.0.1:9092\"\n  }\n]\n",
		"yaml":  "- id: a\n  address: 127.0.0.1:9091\n  health: SERVING\n  checked: NOT_SERVING\n- id: b\n  address: 127.0.0.1:9092\n",
	}
	for format, w := range want {
		var buf bytes.Buffer
		if err := report.WriteInstances(&buf, format, rows); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, buf.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", format, diff)
		}
	}
	var buf bytes.Buffer
	if err := report.WriteInstances(&buf, "json", nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("no instances: %q, %v", buf.String(), err)
	}

	sets := []report.Instances{{Service: "shop.v1.Shelf", Instances: rows[1:]}, {Service: "shop.v1.Shelf"}}
	want = map[string]string{
		"table": "shop.v1.Shelf: 1 instance\nID  ADDRESS         HEALTH  CHECKED\nb   127.0.0.1:9092  -       -\n\nshop.v1.Shelf: 0 instances\nID  ADDRESS  HEALTH  CHECKED\n\n",
		"json":  "{\"service\":\"shop.v1.Shelf\",\"instances\":[{\"id\":\"b\",\"address\":\"127.0.0.1:9092\"}]}\n{\"service\":\"shop.v1.Shelf\",\"instances\":[]}\n",
		"yaml":  "---\nservice: shop.v1.Shelf\ninstances:\n  - id: b\n    address: 127.0.0.1:9092\n---\nservice: shop.v1.Shelf\ninstances: []\n",
	}
	for format, w := range want {
		var buf bytes.Buffer
		for _, set := range sets {
			if err := report.WriteInstancesChange(&buf, format, set); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(w, buf.String()); diff != "" {
			t.Errorf("watch %s (-want +got):\n%s", format, diff)
		}
	}
	if err := report.WriteInstancesChange(&bytes.Buffer{}, "xml", sets[0]); err == nil {
		t.Error("format xml: no error")
	}
}
