//! GHL stand-in (stub until the sandbox branch lands).
use std::time::Duration;

pub const DEMO_LOCATION_ID: &str = "DemoLoc0000000000001";
pub const DEMO_TOKEN: &str = "pit-demo";

pub enum Seed {
    Demo,
    Generated { contacts: usize },
    Empty,
}

pub struct SandboxConfig {
    pub port: u16,
    pub location_id: String,
    pub tokens: Vec<String>,
    pub seed: Seed,
    pub rate_limit_max: u32,
    pub rate_limit_interval: Duration,
    pub daily_limit: u32,
    pub churn: Option<Duration>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            location_id: DEMO_LOCATION_ID.into(),
            tokens: vec![DEMO_TOKEN.into()],
            seed: Seed::Demo,
            rate_limit_max: 100,
            rate_limit_interval: Duration::from_secs(10),
            daily_limit: 200_000,
            churn: None,
        }
    }
}

pub struct Sandbox;
impl Sandbox {
    pub async fn start(_cfg: SandboxConfig) -> std::io::Result<Sandbox> {
        Ok(Sandbox)
    }
    pub fn base_url(&self) -> String {
        String::new()
    }
}
pub async fn run_standalone(_cfg: SandboxConfig) -> std::io::Result<()> {
    Ok(())
}
