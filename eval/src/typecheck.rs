//! Type checking fixed TypeScript programs with `tsc --noEmit` against the real `@pulumi/aws`
//! and `@pulumi/pulumi` types, installed from npm into a cache directory by [`TypeChecker::setup`].
//! All programs are checked in one `tsc` run (one project, a directory per program).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use remedy_validate::{Command, Output};

/// How long `npm install` may take (a cold cache downloads the provider's types).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// How long one `tsc` run over every program may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(600);

/// Pinned versions, so results do not drift with npm releases.
const PACKAGE_JSON: &str = r#"{
  "private": true,
  "devDependencies": {
    "@pulumi/aws": "6.83.0",
    "@pulumi/pulumi": "3.190.0",
    "@types/node": "20.17.0",
    "typescript": "5.6.3"
  }
}
"#;

#[derive(Debug, thiserror::Error)]
pub enum TypecheckError {
    #[error("type checking needs Node.js and npm on PATH ({0})")]
    NoNode(String),
    #[error("npm install in {} failed: {message}", .dir.display())]
    Install { dir: PathBuf, message: String },
    #[error("`{command}` in {} did not finish within {} s", .dir.display(), .timeout.as_secs())]
    TimedOut {
        command: String,
        dir: PathBuf,
        timeout: Duration,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct TypeChecker {
    cache: PathBuf,
}

impl TypeChecker {
    /// Install the type packages into `cache` unless they are there already.
    pub fn setup(cache: &Path) -> Result<Self, TypecheckError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TypecheckError::Io { path, source }
        };
        std::fs::create_dir_all(cache).map_err(io(cache))?;
        let manifest = cache.join("package.json");
        let current = std::fs::read_to_string(&manifest).unwrap_or_default();
        let tsc = cache.join("node_modules/.bin/tsc");
        if current != PACKAGE_JSON || !tsc.exists() {
            std::fs::write(&manifest, PACKAGE_JSON).map_err(io(&manifest))?;
            let argv = [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
            ];
            // The operator's own command: npm keeps its proxy and registry settings.
            let install = Command::new(argv.map(String::from).to_vec(), cache)
                .timeout(INSTALL_TIMEOUT)
                .inherit_env(true);
            let out = run(&install)?;
            if !out.success() {
                return Err(TypecheckError::Install {
                    dir: cache.to_path_buf(),
                    message: out.stderr.trim().to_string(),
                });
            }
        }
        // Absolute, so that commands run inside it resolve paths the same way.
        let cache = cache.canonicalize().map_err(io(cache))?;
        Ok(Self { cache })
    }

    /// Check programs (id → files); true when a program has no type errors.
    pub fn check(
        &self,
        programs: &[(String, Vec<(String, String)>)],
    ) -> Result<BTreeMap<String, bool>, TypecheckError> {
        let work = self.cache.join("work");
        let _ = std::fs::remove_dir_all(&work);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| TypecheckError::Io { path, source }
        };
        let mut verdicts = BTreeMap::new();
        for (id, files) in programs {
            let ts: Vec<&(String, String)> =
                files.iter().filter(|(f, _)| f.ends_with(".ts")).collect();
            if ts.is_empty() {
                continue;
            }
            for (name, text) in ts {
                let path = work.join(id).join(name);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(io(parent))?;
                }
                std::fs::write(&path, text).map_err(io(&path))?;
            }
            verdicts.insert(id.clone(), true);
        }
        if verdicts.is_empty() {
            return Ok(verdicts);
        }
        let tsconfig = self.cache.join("tsconfig.json");
        std::fs::write(
            &tsconfig,
            r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2020", "module": "commonjs",
  "moduleResolution": "node", "skipLibCheck": true, "types": ["node"] }, "include": ["work/**/*.ts"] }
"#,
        )
        .map_err(io(&tsconfig))?;
        let tsc = self.cache.join("node_modules/.bin/tsc");
        let argv = [
            tsc.to_string_lossy().as_ref(),
            "-p",
            "tsconfig.json",
            "--pretty",
            "false",
        ]
        .map(String::from)
        .to_vec();
        // Its own process group, a cleared environment and a timeout, as the gate's `validate`
        // check runs a team's checker.
        // Every program's errors are read: the output is not capped as a gate's is.
        let check = Command::new(argv, &self.cache)
            .timeout(CHECK_TIMEOUT)
            .max_output(usize::MAX);
        let out = run(&check)?;
        // Errors read `work/<id>/<file>(line,col): error TS…`.
        for line in out.stdout.lines() {
            if let Some(rest) = line.strip_prefix("work/")
                && let Some((id, _)) = rest.split_once('/')
                && line.contains("error TS")
                && let Some(v) = verdicts.get_mut(id)
            {
                *v = false;
            }
        }
        Ok(verdicts)
    }
}

/// Run `command`; a program that cannot be started means Node.js is missing.
fn run(command: &Command) -> Result<Output, TypecheckError> {
    let out = command
        .run()
        .map_err(|e| TypecheckError::NoNode(e.to_string()))?;
    if out.timed_out {
        return Err(TypecheckError::TimedOut {
            command: command.display(),
            dir: command.dir().to_path_buf(),
            timeout: command.time_limit(),
        });
    }
    Ok(out)
}
