package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ovasabi/protoc-gen-registration/internal/corpus"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
	"github.com/ovasabi/protoc-gen-registration/plugin"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// benchCorpus is the googleapis tree the publish row reads, as make bench
// passes it to internal/bench.
const benchCorpus = "../../../../shared/corpora/googleapis-part.tgz"

// TestEtcdBenchmark measures the etcd backend against plain etcd calls on
// the same server, as ratios in one run (never a timed test). It runs only
// when REGISTRATION_BENCH=1 is set, as `make bench` does:
//
//	REGISTRATION_BENCH=1 go test -run '^TestEtcdBenchmark$' -count=1 -v -timeout 30m ./registration/registry/etcd/
//
// One etcd 3.4 on loopback, with --max-txn-ops and --max-request-bytes
// raised so that the whole googleapis aggregate fits one transaction.
//
//   - publish: Publish of the googleapis aggregate (the plugin's aggregate
//     output for the corpus, compiled in the test) into an empty prefix,
//     against the floor of one transaction of the same puts, the same
//     bytes, built beforehand; and against the same puts one by one. The
//     median of 5 alternating pairs. Then a publish of the same document
//     again (everything unchanged: one read, no write).
//   - register: 10,000 instances of 100 services registered by 32
//     goroutines on one Store, against 10,000 puts of the same bytes on one
//     lease by 32 goroutines. The median of 3 pairs.
//   - watch: 1,000 changes of an instance, one at a time; the time from
//     the start of Register to Next returning the changed set, against
//     the same through a plain etcd watch (put to watch event);
//     percentiles.
func TestEtcdBenchmark(t *testing.T) {
	if os.Getenv("REGISTRATION_BENCH") != "1" {
		t.Skip("set REGISTRATION_BENCH=1 to run the etcd benchmark (make bench)")
	}
	ctx := context.Background()
	// A fresh etcd for each row, so that one row's data does not slow
	// the next.
	client := func(flags ...string) *clientv3.Client {
		srv := etcdtest.StartWith(t, flags...)
		cli, err := Connect(ctx, srv.Endpoints(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		return cli
	}
	if os.Getenv("REGISTRATION_BENCH_ROWS") != "instances" {
		doc := googleapisAggregate(t)
		benchPublish(t, ctx, client("--max-txn-ops=4096", "--max-request-bytes=67108864", "--quota-backend-bytes=8589934592"), doc)
	}
	benchRegister(t, ctx, client())
	benchWatch(t, ctx, client())
}

// googleapisAggregate builds the plugin's aggregate output for the corpus.
// With REGISTRATION_BENCH_AGGREGATE=FILE it reads FILE instead when it
// exists, and writes it otherwise, to save the build on later runs.
func googleapisAggregate(t *testing.T) *registration.Registration {
	t.Helper()
	cache := os.Getenv("REGISTRATION_BENCH_AGGREGATE")
	if cache != "" {
		if b, err := os.ReadFile(cache); err == nil {
			doc, err := unmarshalDocument(cache, b)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("googleapis aggregate from %s: %d services, %d messages, %d bytes", cache, len(doc.Services), len(doc.Messages), len(b))
			return doc
		}
	}
	if _, err := os.Stat(benchCorpus); err != nil {
		t.Fatalf("the googleapis corpus: %v", err)
	}
	start := time.Now()
	dir := filepath.Join(t.TempDir(), "corpus")
	if err := corpus.Unpack(benchCorpus, dir); err != nil {
		t.Fatal(err)
	}
	req, err := corpus.Request(context.Background(), dir, "aggregate=registry")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := plugin.Generate(req, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if resp.GetError() != "" {
		t.Fatal(resp.GetError())
	}
	for _, f := range resp.File {
		if f.GetName() == "registry.registration.json" {
			doc, err := unmarshalDocument(f.GetName(), []byte(f.GetContent()))
			if err != nil {
				t.Fatal(err)
			}
			if cache != "" {
				if err := os.WriteFile(cache, []byte(f.GetContent()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("googleapis aggregate: %d services, %d messages, %d bytes, built in %v",
				len(doc.Services), len(doc.Messages), len(f.GetContent()), time.Since(start).Round(time.Millisecond))
			return doc
		}
	}
	t.Fatal("no aggregate file in the plugin's response")
	return nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianRatio(rs []float64) float64 {
	s := slices.Clone(rs)
	slices.Sort(s)
	return s[len(s)/2]
}

func benchPublish(t *testing.T, ctx context.Context, cli *clientv3.Client, doc *registration.Registration) {
	// The floor's values: the bytes Publish stores, built once.
	values := make([]string, len(doc.Services))
	total := 0
	for i, svc := range doc.Services {
		b, err := marshalDocument(ServiceDocument(doc, svc))
		if err != nil {
			t.Fatal(err)
		}
		values[i] = string(b)
		total += len(b)
	}
	t.Logf("publish: %d services, %d bytes of values", len(values), total)
	var ours, txnFloor, putFloor []time.Duration
	var ratios, putRatios []float64
	for run := range 5 {
		prefix := fmt.Sprintf("/bench%d", run)
		s := New(cli, WithPrefix(prefix+"/ours"))
		publish := func() time.Duration {
			start := time.Now()
			res, err := s.Publish(ctx, "googleapis", doc, false)
			d := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Put) != len(doc.Services) {
				t.Fatalf("published %d of %d services", len(res.Put), len(doc.Services))
			}
			return d
		}
		txn := func() time.Duration {
			ops := make([]clientv3.Op, len(values))
			for i, svc := range doc.Services {
				ops[i] = clientv3.OpPut(prefix+"/floor/services/"+svc.Name, values[i])
			}
			start := time.Now()
			if _, err := cli.Txn(ctx).Then(ops...).Commit(); err != nil {
				t.Fatal(err)
			}
			return time.Since(start)
		}
		// Alternate which goes first.
		var o, f time.Duration
		if run%2 == 0 {
			o, f = publish(), txn()
		} else {
			f, o = txn(), publish()
		}
		start := time.Now()
		for i, svc := range doc.Services {
			if _, err := cli.Put(ctx, prefix+"/puts/services/"+svc.Name, values[i]); err != nil {
				t.Fatal(err)
			}
		}
		p := time.Since(start)
		t.Logf("run %d: Publish %v, one txn %v, puts one by one %v", run, o.Round(time.Millisecond), f.Round(time.Millisecond), p.Round(time.Millisecond))
		ours, txnFloor, putFloor = append(ours, o), append(txnFloor, f), append(putFloor, p)
		ratios, putRatios = append(ratios, float64(o)/float64(f)), append(putRatios, float64(o)/float64(p))
		s.Close()
	}
	t.Logf("publish googleapis: Publish %v, one txn of the same puts %v (ratio %.2f), %d puts one by one %v (ratio %.2f)",
		median(ours), median(txnFloor), medianRatio(ratios), len(values), median(putFloor), medianRatio(putRatios))
	var again []time.Duration
	s := New(cli, WithPrefix("/bench0/ours"))
	defer s.Close()
	for range 5 {
		start := time.Now()
		res, err := s.Publish(ctx, "googleapis", doc, false)
		if err != nil {
			t.Fatal(err)
		}
		again = append(again, time.Since(start))
		if len(res.Unchanged) != len(doc.Services) {
			t.Fatalf("publish again: %d unchanged of %d", len(res.Unchanged), len(doc.Services))
		}
	}
	t.Logf("publish googleapis again (all unchanged, nothing written): %v", median(again))
}

const (
	benchInstances = 10000
	benchServices  = 100
	benchWorkers   = 32
)

func benchInstance(i int) registry.Instance {
	return registry.Instance{
		Service:  fmt.Sprintf("bench%d.v1.Service", i%benchServices),
		ID:       "instance-" + strconv.Itoa(i),
		Address:  fmt.Sprintf("10.%d.%d.%d:8080", i>>16&255, i>>8&255, i&255),
		Metadata: map[string]string{"zone": "z" + strconv.Itoa(i%3), "version": "v1.2.3"},
		Health:   registry.HealthServing,
	}
}

// parallel runs f(0..n-1) on benchWorkers goroutines.
func parallel(t *testing.T, n int, f func(i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	start := time.Now()
	for range benchWorkers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
	return time.Since(start)
}

func benchRegister(t *testing.T, ctx context.Context, cli *clientv3.Client) {
	var ours, floor []time.Duration
	var ratios []float64
	for run := range 3 {
		s := New(cli, WithPrefix(fmt.Sprintf("/reg%d/ours", run)), WithTTL(30*time.Second))
		registerOurs := func() time.Duration {
			return parallel(t, benchInstances, func(i int) error {
				if err := s.Register(ctx, benchInstance(i)); err != nil {
					return fmt.Errorf("Register: %w", err)
				}
				return nil
			})
		}
		lease, err := cli.Grant(ctx, 30)
		if err != nil {
			t.Fatal(err)
		}
		// Kept alive like the Store's lease.
		kactx, kacancel := context.WithCancel(ctx)
		if _, err := cli.KeepAlive(kactx, lease.ID); err != nil {
			t.Fatal(err)
		}
		registerFloor := func() time.Duration {
			return parallel(t, benchInstances, func(i int) error {
				inst := benchInstance(i)
				// Encoding is part of what a caller of plain etcd does too.
				b, err := jsonInstance(inst)
				if err != nil {
					return err
				}
				if _, err = cli.Put(ctx, fmt.Sprintf("/reg%d/floor/instances/%s/%s", run, inst.Service, inst.ID), b, clientv3.WithLease(lease.ID)); err != nil {
					return fmt.Errorf("plain put on lease %x: %w", int64(lease.ID), err)
				}
				return nil
			})
		}
		// Alternate which goes first: the database grows as the run goes.
		var o, f time.Duration
		if run%2 == 0 {
			o, f = registerOurs(), registerFloor()
		} else {
			f, o = registerFloor(), registerOurs()
		}
		kacancel()
		t.Logf("run %d: Register %v, plain puts %v", run, o.Round(time.Millisecond), f.Round(time.Millisecond))
		got, err := s.Instances(ctx, benchInstance(0).Service)
		if err != nil || len(got) != benchInstances/benchServices {
			t.Fatalf("%d instances of %s after registering, %v", len(got), benchInstance(0).Service, err)
		}
		ours, floor = append(ours, o), append(floor, f)
		ratios = append(ratios, float64(o)/float64(f))
		start := time.Now()
		s.Close()
		t.Logf("run %d: Close (revoking the lease of %d instances) %v", run, benchInstances, time.Since(start).Round(time.Millisecond))
		cli.Revoke(ctx, lease.ID)
	}
	t.Logf("register %d instances of %d services (%d goroutines): Register %v (%.0f/s), plain puts on a lease %v (%.0f/s), ratio %.2f",
		benchInstances, benchServices, benchWorkers, median(ours), benchInstances/median(ours).Seconds(),
		median(floor), benchInstances/median(floor).Seconds(), medianRatio(ratios))
}

func percentiles(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	p := func(q float64) time.Duration { return s[int(q*float64(len(s)-1))].Round(time.Microsecond) }
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v", p(0.5), p(0.9), p(0.99))
}

func benchWatch(t *testing.T, ctx context.Context, cli *clientv3.Client) {
	const changes = 1000
	s := New(cli, WithPrefix("/watch"))
	defer s.Close()
	w, err := s.Watch(ctx, "watch.v1.S")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := w.Next(); err != nil {
		t.Fatal(err)
	}
	var ours []time.Duration
	for i := range changes {
		inst := registry.Instance{Service: "watch.v1.S", ID: "1", Address: "a:1", Metadata: map[string]string{"n": strconv.Itoa(i)}}
		start := time.Now()
		if err := s.Register(ctx, inst); err != nil {
			t.Fatal(err)
		}
		set, err := w.Next()
		if err != nil {
			t.Fatal(err)
		}
		ours = append(ours, time.Since(start))
		if set[0].Metadata["n"] != strconv.Itoa(i) {
			t.Fatalf("change %d: watched %v", i, set)
		}
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wch := cli.Watch(wctx, "/plain/watch", clientv3.WithPrefix())
	var floor []time.Duration
	for i := range changes {
		start := time.Now()
		if _, err := cli.Put(ctx, "/plain/watch/1", strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		resp := <-wch
		floor = append(floor, time.Since(start))
		if len(resp.Events) != 1 || string(resp.Events[0].Kv.Value) != strconv.Itoa(i) {
			t.Fatalf("plain change %d: %v", i, resp.Events)
		}
	}
	t.Logf("watch delivery, write start to watcher (%d changes, loopback): Watch %s; plain etcd watch %s", changes, percentiles(ours), percentiles(floor))
}

func jsonInstance(inst registry.Instance) (string, error) {
	b, err := json.Marshal(inst)
	return string(b), err
}
