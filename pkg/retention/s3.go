package retention

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Target is an S3-compatible bucket archives are uploaded to (AWS S3, or any server speaking its
// API: path-style addressing when an endpoint is given).
type S3Target struct {
	Endpoint  string
	Region    string
	Bucket    string
	Prefix    string
	AccessKey string
	SecretKey string
}

// Configured says whether a bucket is set.
func (t S3Target) Configured() bool { return t.Bucket != "" }

func (t S3Target) client() *s3.Client {
	region := t.Region
	if region == "" {
		region = "us-east-1"
	}
	opts := s3.Options{Region: region}
	if t.AccessKey != "" {
		opts.Credentials = credentials.NewStaticCredentialsProvider(t.AccessKey, t.SecretKey, "")
	}
	if t.Endpoint != "" {
		opts.BaseEndpoint = aws.String(t.Endpoint)
		opts.UsePathStyle = true
	}
	return s3.New(opts)
}

// Key is where a file of a tenant's archive goes in the bucket.
func (t S3Target) Key(tenant, name string) string { return path.Join(t.Prefix, tenant, name) }

// Upload puts a local file at key and answers its s3:// location.
func (t S3Target) Upload(ctx context.Context, local, key string) (string, error) {
	f, err := os.Open(local)
	if err != nil {
		return "", err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", err
	}
	if _, err := t.client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key),
		Body: f, ContentLength: aws.Int64(st.Size())}); err != nil {
		return "", fmt.Errorf("uploading %s to the archive bucket %s: %w", path.Base(local), t.Bucket, err)
	}
	return fmt.Sprintf("s3://%s/%s", t.Bucket, key), nil
}

// EnsureLockedBucket creates the bucket with S3 object lock when it does not exist yet, and says
// whether object lock is enabled on it (a bucket made without it cannot have it turned on).
func (t S3Target) EnsureLockedBucket(ctx context.Context) (locked bool, err error) {
	c := t.client()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.Bucket)}); err != nil {
		var nf *types.NotFound
		if !errors.As(err, &nf) {
			return false, fmt.Errorf("the bucket %s cannot be reached: %w", t.Bucket, err)
		}
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(t.Bucket),
			ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
			return false, fmt.Errorf("creating the bucket %s with object lock: %w", t.Bucket, err)
		}
	}
	cfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(t.Bucket)})
	if err != nil {
		return false, nil
	}
	return cfg.ObjectLockConfiguration != nil && cfg.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled, nil
}

// PutOnce writes body at key only if nothing is there yet; with retainUntil set, under object lock
// in compliance mode (nobody, the root account included, can delete or overwrite it before then).
func (t S3Target) PutOnce(ctx context.Context, key string, body []byte, retainUntil time.Time) error {
	in := &s3.PutObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
		IfNoneMatch: aws.String("*"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}
	if !retainUntil.IsZero() {
		in.ObjectLockMode = types.ObjectLockModeCompliance
		in.ObjectLockRetainUntilDate = aws.Time(retainUntil)
	}
	if _, err := t.client().PutObject(ctx, in); err != nil {
		return fmt.Errorf("writing %s to the bucket %s: %w", key, t.Bucket, err)
	}
	return nil
}

// Keys lists the keys under prefix after startAfter, in order.
func (t S3Target) Keys(ctx context.Context, prefix, startAfter string) ([]string, error) {
	p := s3.NewListObjectsV2Paginator(t.client(), &s3.ListObjectsV2Input{Bucket: aws.String(t.Bucket),
		Prefix: aws.String(prefix), StartAfter: aws.String(startAfter)})
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing %s in the bucket %s: %w", prefix, t.Bucket, err)
		}
		for _, o := range page.Contents {
			out = append(out, aws.ToString(o.Key))
		}
	}
	return out, nil
}

// Get reads the object at key.
func (t S3Target) Get(ctx context.Context, key string) ([]byte, error) {
	o, err := t.client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("reading %s from the bucket %s: %w", key, t.Bucket, err)
	}
	defer o.Body.Close()
	return io.ReadAll(o.Body)
}

// Download writes the object at key to the file local (replaced whole: written aside, then renamed).
func (t S3Target) Download(ctx context.Context, key, local string) error {
	o, err := t.client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("reading %s from the bucket %s: %w", key, t.Bucket, err)
	}
	defer o.Body.Close()
	f, err := os.CreateTemp(path.Dir(local), ".download-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := io.Copy(f, o.Body); err != nil {
		f.Close()
		return fmt.Errorf("reading %s from the bucket %s: %w", key, t.Bucket, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), local)
}

// Delete removes the object at key (nothing there is no error).
func (t S3Target) Delete(ctx context.Context, key string) error {
	if _, err := t.client().DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("deleting %s from the bucket %s: %w", key, t.Bucket, err)
	}
	return nil
}

// EnsureBucket creates the bucket when it does not exist yet.
func (t S3Target) EnsureBucket(ctx context.Context) error {
	c := t.client()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.Bucket)}); err == nil {
		return nil
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(t.Bucket)}); err != nil {
		var owned *types.BucketAlreadyOwnedByYou
		if !errors.As(err, &owned) {
			return fmt.Errorf("creating the bucket %s: %w", t.Bucket, err)
		}
	}
	return nil
}
