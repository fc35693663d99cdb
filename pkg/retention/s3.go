package retention

import (
	"context"
	"fmt"
	"os"
	"path"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
