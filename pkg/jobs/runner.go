package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// Work writes a job's file to w and returns its row count; progress reports rows written so far.
type Work func(ctx context.Context, w io.Writer, progress func(rows int64)) (rows int64, err error)

// Finish runs once the file is complete and in place (j has its path, size and hash), before the job
// is marked Completed: e.g. writing a signed manifest beside it. An error fails the job.
type Finish func(j *Job) error

// Runner runs jobs one goroutine each, writes their files under Dir, and keeps their state in Store.
// One runner per backend process, shared by every org.
type Runner struct {
	Store Store
	Dir   string
	// Shelf, when set, holds every finished file too, so that any server serves it (Local).
	Shelf Shelf
	// Reason turns a job's error into the text users see; without it, a text that hides internals.
	Reason func(error) string

	mu      sync.Mutex
	running map[string]*active // by job id
}

type active struct {
	cancel context.CancelFunc
	owner  string // "org/login"
	group  string // "org"
	done   chan struct{}
}

// Limits bound concurrent jobs: per owner and per group (an organization).
type Limits struct {
	PerOwner, PerGroup int
}

// BusyError: a limit is reached; Group tells which.
type BusyError struct{ Group bool }

func (e *BusyError) Error() string {
	if e.Group {
		return "too many jobs are running in this organization"
	}
	return "a job of yours is still running"
}

// InterruptedReason is the error of a job whose server stopped while it ran.
const InterruptedReason = "interrupted: the Grafana server running it stopped or restarted while the job ran; request it again"

// NewRunner opens the runner; jobs a restart interrupted are marked Failed with the reason, except
// those of the resumable kinds, which stay unfinished for their owner to Resume.
func NewRunner(store Store, dir string, resumable ...string) (*Runner, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	n, err := store.Interrupted(context.Background(), InterruptedReason, resumable)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		log.DefaultLogger.Warn("jobs interrupted by a restart marked failed", "count", n)
	}
	// Files of jobs cut off mid-write are of no use.
	partials, _ := filepath.Glob(filepath.Join(dir, "*.partial"))
	for _, p := range partials {
		os.Remove(p)
	}
	fetched, _ := filepath.Glob(filepath.Join(dir, "fetched-*"))
	for _, d := range fetched {
		os.RemoveAll(d)
	}
	return &Runner{Store: store, Dir: dir, running: map[string]*active{}}, nil
}

// Start stores j as Pending and runs work in the background, within the limits (checked and reserved
// under one lock, so concurrent requests cannot exceed them). The goroutine works on its own copy of j.
func (r *Runner) Start(ctx context.Context, j *Job, owner, group string, lim Limits, work Work, finish Finish) error {
	return r.launch(j, owner, group, lim, work, finish, func() error {
		now := time.Now().UTC()
		j.Created, j.Updated, j.Status = now, now, Pending
		return r.Store.Create(ctx, j)
	})
}

// Resume runs a stored job again from the start, as Pending with its outcome cleared: a job of a
// resumable kind a restart cut off, or a failed one retried.
func (r *Runner) Resume(ctx context.Context, j *Job, owner, group string, lim Limits, work Work, finish Finish) error {
	return r.launch(j, owner, group, lim, work, finish, func() error {
		_ = r.discard(ctx, j.ID)
		j.Status, j.Error, j.Rows, j.Size, j.SHA256, j.File = Pending, "", 0, 0, "", ""
		return r.Store.Update(ctx, j)
	})
}

func (r *Runner) launch(j *Job, owner, group string, lim Limits, work Work, finish Finish, save func() error) error {
	r.mu.Lock()
	if _, ok := r.running[j.ID]; ok {
		r.mu.Unlock()
		return &BusyError{}
	}
	mine, ours := 0, 0
	for _, a := range r.running {
		if a.owner == owner {
			mine++
		}
		if a.group == group {
			ours++
		}
	}
	if lim.PerOwner > 0 && mine >= lim.PerOwner {
		r.mu.Unlock()
		return &BusyError{}
	}
	if lim.PerGroup > 0 && ours >= lim.PerGroup {
		r.mu.Unlock()
		return &BusyError{Group: true}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	a := &active{cancel: cancel, owner: owner, group: group, done: make(chan struct{})}
	r.running[j.ID] = a
	r.mu.Unlock()
	if err := save(); err != nil {
		r.forget(j.ID)
		cancel()
		close(a.done)
		return err
	}
	own := *j
	go func() {
		defer close(a.done)
		r.run(runCtx, cancel, &own, work, finish)
	}()
	return nil
}

func (r *Runner) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, id)
}

// Cancel stops a running job, here or, through the store, on the server that runs it; it ends Canceled.
// False: the job is not running.
func (r *Runner) Cancel(ctx context.Context, orgID int64, id string) (bool, error) {
	r.mu.Lock()
	a, ok := r.running[id]
	r.mu.Unlock()
	if ok {
		a.cancel()
		return true, nil
	}
	return r.Store.RequestCancel(ctx, orgID, id)
}

// stop cancels a running job and waits until its goroutine has finished with its files.
func (r *Runner) stop(id string) {
	r.mu.Lock()
	a, ok := r.running[id]
	r.mu.Unlock()
	if ok {
		a.cancel()
		<-a.done
	}
}

func (r *Runner) run(ctx context.Context, cancel context.CancelFunc, j *Job, work Work, finish Finish) {
	defer cancel()
	defer r.forget(j.ID)
	bg := context.Background()
	j.Status = Running
	_ = r.Store.Update(bg, j)
	final := filepath.Join(r.Dir, j.ID+"."+j.Format)
	tmp := final + ".partial"
	err := func() error {
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		h := sha256.New()
		counted := &countingWriter{w: io.MultiWriter(f, h)}
		var lastSave time.Time
		rows, werr := work(ctx, counted, func(rows int64) {
			j.Rows, j.Size = rows, counted.n
			if time.Since(lastSave) > 500*time.Millisecond {
				lastSave = time.Now()
				if stop, _ := r.Store.Progress(bg, j); stop {
					cancel()
				}
			}
		})
		if werr == nil {
			werr = f.Sync()
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
		j.Rows, j.Size, j.SHA256 = rows, counted.n, hex.EncodeToString(h.Sum(nil))
		if err := os.Rename(tmp, final); err != nil {
			return err
		}
		j.File = final
		if finish != nil {
			if err := finish(j); err != nil {
				return err
			}
		}
		return r.shelve(ctx, j.ID)
	}()
	switch {
	case err == nil:
		j.Status = Completed
	case errors.Is(ctx.Err(), context.Canceled):
		j.Status, j.Error = Canceled, "canceled"
	default:
		log.DefaultLogger.Error("job failed", "job", j.ID, "error", err.Error())
		j.Status, j.Error = Failed, r.reason(err)
	}
	if j.Status != Completed {
		_ = r.discard(bg, j.ID)
		j.File = ""
	}
	if uerr := r.Store.Update(bg, j); errors.Is(uerr, ErrNotFound) {
		// Deleted through another server while it ran: nothing of it may stay.
		_ = r.discard(bg, j.ID)
	} else if uerr != nil {
		log.DefaultLogger.Error("saving a job's outcome failed", "job", j.ID, "error", uerr.Error())
	}
}

// Expired lists the completed jobs older than maxAge, in every org.
func (r *Runner) Expired(ctx context.Context, maxAge time.Duration) ([]Job, error) {
	return r.Store.CompletedBefore(ctx, time.Now().Add(-maxAge))
}

// Remove deletes a job and its file (a running job is canceled first).
func (r *Runner) Remove(ctx context.Context, orgID int64, id string) error {
	j, err := r.Store.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	r.stop(id)
	if j.Status == Pending || j.Status == Running {
		// Running on another server: it stops at its next progress and removes what it wrote.
		if _, err := r.Store.RequestCancel(ctx, orgID, id); err != nil {
			return err
		}
	}
	if err := r.discard(ctx, j.ID); err != nil {
		return err
	}
	return r.Store.Delete(ctx, orgID, id)
}

// discard deletes every file of a job, on this server's disk and in the shelf.
func (r *Runner) discard(ctx context.Context, id string) error {
	if err := r.removeFiles(id); err != nil {
		return fmt.Errorf("removing the files: %w", err)
	}
	if err := r.unshelve(ctx, id); err != nil {
		return fmt.Errorf("removing the files from the bucket: %w", err)
	}
	return nil
}

// removeFiles deletes every file of a job (the file, its partial, its manifest).
func (r *Runner) removeFiles(id string) error {
	matches, _ := filepath.Glob(filepath.Join(r.Dir, id+".*"))
	for _, m := range matches {
		if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// reason is the user-facing reason of a job's failure.
func (r *Runner) reason(err error) string {
	if r.Reason != nil {
		return r.Reason(err)
	}
	return "the job failed; the Grafana server log has the details"
}
