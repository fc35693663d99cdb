package plugin

import (
	"context"
	"path"

	"github.com/attest/auditlog/pkg/retention"
)

// bucketShelf keeps job files in the files bucket (files_s3_bucket) under <prefix>/jobs/.
type bucketShelf struct{ t retention.S3Target }

func (b bucketShelf) key(name string) string { return b.t.Key("jobs", name) }

func (b bucketShelf) Put(ctx context.Context, local, name string) error {
	_, err := b.t.Upload(ctx, local, b.key(name))
	return err
}

func (b bucketShelf) Fetch(ctx context.Context, name, local string) error {
	return b.t.Download(ctx, b.key(name), local)
}

func (b bucketShelf) Delete(ctx context.Context, name string) error {
	return b.t.Delete(ctx, b.key(name))
}

func (b bucketShelf) List(ctx context.Context, prefix string) ([]string, error) {
	keys, err := b.t.Keys(ctx, b.key(prefix), "")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = path.Base(k)
	}
	return out, nil
}
