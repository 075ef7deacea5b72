export { type S3Fixture, type S3Options, startS3 } from './s3-fixture.js';
