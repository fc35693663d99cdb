package jobs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Shelf keeps finished job files where every Grafana server reaches them (an S3-compatible bucket).
// Files are named as in the runner's directory: the job id, a dot, the format or "manifest".
type Shelf interface {
	Put(ctx context.Context, local, name string) error
	Fetch(ctx context.Context, name, local string) error
	Delete(ctx context.Context, name string) error
	// List answers the names that start with prefix.
	List(ctx context.Context, prefix string) ([]string, error)
}

// shelve moves every file of a finished job to the shelf.
func (r *Runner) shelve(ctx context.Context, id string) error {
	if r.Shelf == nil {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(r.Dir, id+".*"))
	for _, m := range matches {
		if strings.HasSuffix(m, ".partial") {
			continue
		}
		if err := r.Shelf.Put(ctx, m, filepath.Base(m)); err != nil {
			return err
		}
	}
	return r.removeFiles(id)
}

// Local makes a completed job's files readable on this server and points j.File at them. With a
// shelf no server keeps job files: they are fetched into a directory of their own that release
// removes, so a file deleted from the shelf (expiry, erasure) is left on no server's disk.
func (r *Runner) Local(ctx context.Context, j *Job) (release func(), err error) {
	if j.File == "" {
		return func() {}, os.ErrNotExist
	}
	name := filepath.Base(j.File)
	if r.Shelf == nil {
		j.File = filepath.Join(r.Dir, name)
		_, err := os.Stat(j.File)
		return func() {}, err
	}
	dir, err := os.MkdirTemp(r.Dir, "fetched-")
	if err != nil {
		return func() {}, err
	}
	release = func() { os.RemoveAll(dir) }
	names, err := r.Shelf.List(ctx, j.ID+".")
	if err == nil && !slices.Contains(names, name) {
		err = os.ErrNotExist
	}
	for _, n := range names {
		if err == nil {
			err = r.Shelf.Fetch(ctx, n, filepath.Join(dir, n))
		}
	}
	if err != nil {
		release()
		return func() {}, err
	}
	j.File = filepath.Join(dir, name)
	return release, nil
}

// unshelve deletes a job's files from the shelf.
func (r *Runner) unshelve(ctx context.Context, id string) error {
	if r.Shelf == nil {
		return nil
	}
	names, err := r.Shelf.List(ctx, id+".")
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		errs = append(errs, r.Shelf.Delete(ctx, n))
	}
	return errors.Join(errs...)
}
