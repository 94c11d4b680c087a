package health

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// perProcessor is how many checks each processor keeps starting at once
// by default. A check costs well under a millisecond of CPU, client and
// server together, so 64 per processor keep a machine busy while each
// check still waits a few dozen milliseconds at most for the checker
// itself, even with every processor held by other work: checks that all
// start at once instead move in lockstep and each takes as long as the
// whole batch, which is how a busy machine turns a healthy fleet into
// timeouts.
const perProcessor = 64

// reservedFiles are file descriptors left for everything but checks:
// standard streams, registration files, the metrics listener.
const reservedFiles = 64

// MachineConcurrency is the default bound on checks started at once: 64
// per processor the Go runtime may use (GOMAXPROCS, which follows the
// CPU quota of a container), and no more than half the file descriptors
// this process may open, so that checks that hang, which keep theirs,
// never run the process out of them.
func MachineConcurrency() int {
	n := perProcessor * runtime.GOMAXPROCS(0)
	if files := openFileLimit(); files > 0 {
		n = min(n, max((files-reservedFiles)/2, 1))
	}
	return n
}

// maxOpen bounds the checks running at once, with a slot or without: each
// holds a connection. It is MachineConcurrency's file descriptor bound.
func maxOpen() int {
	if files := openFileLimit(); files > 0 {
		return max((files-reservedFiles)/2, 1)
	}
	return 1 << 16
}

// slots bounds the checks being started at once. A check holds a slot from
// the start of its dial until it ends or until its lease is over: past
// that, it is taken to be waiting for the network (a target that hangs),
// not for the checker, and it waits on without a slot so that the next
// check can start. Checks that wait without a slot are bounded by open,
// so that they never run the process out of file descriptors.
//
// A check whose server has said something keeps its slot for up to three
// more leases, and one whose dial has not started yet (it waits for this
// process, not for the network) keeps it until it has. The lease is four times the typical time of the checks that got an
// answer so far, within a 32nd and a quarter of the timeout: checks that
// are slow because the machine is busy keep their slots, so that the
// checker does not add to its own load, while a fleet of targets that
// hang, with no answer to go by, is started within a fraction of the
// timeout.
type slots struct {
	active chan struct{}
	open   chan struct{}

	mu      sync.Mutex
	typical time.Duration // moving average of answered checks; 0 before the first
}

func newSlots(n int) *slots {
	return &slots{active: make(chan struct{}, n), open: make(chan struct{}, max(maxOpen(), n))}
}

// lease is how long a check with the given timeout holds its slot.
func (s *slots) lease(timeout time.Duration) time.Duration {
	s.mu.Lock()
	typical := s.typical
	s.mu.Unlock()
	return min(max(4*typical, timeout/32, time.Millisecond), timeout/4)
}

// answered records how long a check that got an answer took.
func (s *slots) answered(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.typical == 0 {
		s.typical = d
		return
	}
	s.typical += (d - s.typical) / 8
}

// ticket is one check's hold on a slot.
type ticket struct {
	s    *slots
	once sync.Once

	mu       sync.Mutex
	timer    *time.Timer
	extended bool
	// spoke says that the check's server has said something (its HTTP/2
	// settings, its TLS handshake, its answer): the check is not waiting
	// for a target that hangs, and keeps its slot a while longer.
	spoke atomic.Bool
	// dialing, when set, says whether the check's dial has started: until
	// it has, the check waits for this process (a busy machine), not for
	// the network, and keeps its slot. Unset, the check is taken to be
	// dialing from the start.
	dialing atomic.Pointer[func() bool]
}

// waitsForNetwork says whether a check that has not heard its server yet
// is waiting for the network rather than for this process.
func (t *ticket) waitsForNetwork() bool {
	if f := t.dialing.Load(); f != nil {
		return (*f)()
	}
	return true
}

// enter waits for a slot and returns the check's ticket; ok is false when
// ctx ended first. Call leave when the check ends.
func (s *slots) enter(ctx context.Context, lease time.Duration) (t *ticket, ok bool) {
	select {
	case s.open <- struct{}{}:
	case <-ctx.Done():
		return nil, false
	}
	select {
	case s.active <- struct{}{}:
	case <-ctx.Done():
		<-s.open
		return nil, false
	}
	t = &ticket{s: s}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timer = time.AfterFunc(lease, func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		switch {
		case t.spoke.Load() && !t.extended:
			// Past waiting for the network: give the check three more
			// leases to finish before taking it for a hanging one.
			t.extended = true
			t.timer.Reset(3 * lease)
		case t.spoke.Load() || t.waitsForNetwork():
			t.free()
		default:
			// Not dialing yet: the check waits for this process, and
			// starting more checks would only make it wait longer.
			t.timer.Reset(lease)
		}
	})
	return t, true
}

// free gives the slot up, once.
func (t *ticket) free() { t.once.Do(func() { <-t.s.active }) }

// leave ends the check's hold.
func (t *ticket) leave() {
	t.mu.Lock()
	t.timer.Stop()
	t.mu.Unlock()
	t.free()
	<-t.s.open
}

// ticketKey is the context key of a check's ticket.
type ticketKey struct{}

// dialStarted gives the ticket in ctx, if any, the way to tell whether the
// check's dial has started.
func dialStarted(ctx context.Context, started func() bool) {
	if t, ok := ctx.Value(ticketKey{}).(*ticket); ok {
		t.dialing.Store(&started)
	}
}

// serverSpoke records, for the ticket in ctx if any, that the check's
// server has said something.
func serverSpoke(ctx context.Context) {
	if t, ok := ctx.Value(ticketKey{}).(*ticket); ok {
		t.spoke.Store(true)
	}
}
