-- Claims take a delivery group whole: the queued violations of one file, or of one policy.
CREATE INDEX violations_queue_file ON violations (repo_id, file)
    WHERE status IN ('assigned', 'in_progress');
CREATE INDEX violations_queue_policy ON violations (repo_id, policy)
    WHERE status IN ('assigned', 'in_progress');
