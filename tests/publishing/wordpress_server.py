"""A real WordPress for the publishing tests: Debian's `wordpress` package, served by PHP's
built-in web server on 127.0.0.1, with a throw-away MariaDB database.

start() copies /usr/share/wordpress into a temporary docroot with its own wp-config.php
(WP_ENVIRONMENT_TYPE=local, so application passwords work over plain http), runs the real
installer (wp-admin/install.php), creates an application password with WordPress's own API
(php-cli) and returns the URL and credentials. stop() ends PHP and drops the database.

Needs: apt-get install wordpress php-cli php-mysql (.ci/run installs them) and MariaDB on
127.0.0.1:3306 (root, empty password; override with WP_TEST_DB_HOST / _USER / _PASSWORD).
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

WP_SOURCE = Path(os.environ.get("WP_TEST_SOURCE", "/usr/share/wordpress"))
DB_HOST = os.environ.get("WP_TEST_DB_HOST", "127.0.0.1")
DB_PORT = int(os.environ.get("WP_TEST_DB_PORT", "3306"))
DB_USER = os.environ.get("WP_TEST_DB_USER", "root")
DB_PASSWORD = os.environ.get("WP_TEST_DB_PASSWORD", "")
ADMIN_USER, ADMIN_PASSWORD = "igny8admin", "igny8-admin-password-123"


class WordPressUnavailable(Exception):
    """The packages or the database this fixture needs are missing."""


@dataclass
class WordPressServer:
    url: str
    username: str
    app_password: str
    docroot: Path
    db_name: str
    process: subprocess.Popen

    def rest(self, route: str, **params):
        """GET a REST route as the admin (context=edit shows raw fields)."""
        response = requests.get(
            self.url + "/",
            params={"rest_route": route, **params},
            auth=(self.username, self.app_password),
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def stop(self):
        # php -S with PHP_CLI_SERVER_WORKERS forks workers: end the whole process group we started.
        for sig in (signal.SIGTERM, signal.SIGKILL):  # SIGKILL sweeps up any straggler
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        _sql(f"DROP DATABASE IF EXISTS `{self.db_name}`")
        shutil.rmtree(self.docroot, ignore_errors=True)


def missing_requirements() -> str | None:
    if not (WP_SOURCE / "wp-settings.php").exists():
        return f"WordPress is not installed at {WP_SOURCE} (apt-get install wordpress)"
    if not shutil.which("php"):
        return "php is not installed (apt-get install php-cli)"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower()
    if "mysqli" not in modules:
        return "PHP has no mysqli extension (apt-get install php-mysql)"
    if not shutil.which("mysql"):
        return "the mysql/mariadb client is not installed (apt-get install mariadb-client)"
    try:
        _sql("SELECT 1")
    except WordPressUnavailable as exc:
        return str(exc)
    return None


def _sql(statement: str):
    command = ["mysql", "-h", DB_HOST, "-P", str(DB_PORT), "-u", DB_USER, "-e", statement]
    env = {**os.environ, "MYSQL_PWD": DB_PASSWORD}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=30)
    if done.returncode:
        raise WordPressUnavailable(f"MariaDB at {DB_HOST}:{DB_PORT} refused `{statement}`: {done.stderr.strip()}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wp_config(db_name: str, url: str) -> str:
    keys = "\n".join(
        f"define('{name}', '{secrets.token_hex(32)}');"
        for name in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    return f"""<?php
define('DB_NAME', '{db_name}');
define('DB_USER', '{DB_USER}');
define('DB_PASSWORD', '{DB_PASSWORD}');
define('DB_HOST', '{DB_HOST}:{DB_PORT}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{keys}
$table_prefix = 'wp_';
// Application passwords over plain http are only allowed on a 'local' environment.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
if (!defined('ABSPATH')) {{ define('ABSPATH', __DIR__ . '/'); }}
require_once ABSPATH . 'wp-settings.php';
"""


_APP_PASSWORD_PHP = """<?php
$_SERVER['HTTP_HOST'] = getenv('WP_HOST');
require __DIR__ . '/wp-load.php';
$user = get_user_by('login', getenv('WP_ADMIN'));
if (!$user) { fwrite(STDERR, "no such user\\n"); exit(1); }
$made = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'igny8-tests'));
if (is_wp_error($made)) { fwrite(STDERR, $made->get_error_message() . "\\n"); exit(1); }
echo $made[0];
"""


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"php -S exited with {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"php -S did not listen on {port} within {timeout} s")


def start(workdir: Path) -> WordPressServer:
    problem = missing_requirements()
    if problem:
        raise WordPressUnavailable(problem)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    db_name = f"igny8_wp_{os.getpid()}_{secrets.token_hex(3)}"
    docroot = workdir / "wordpress"
    shutil.copytree(WP_SOURCE, docroot, symlinks=False)
    (docroot / "wp-config.php").write_text(_wp_config(db_name, url))
    _sql(f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    process = subprocess.Popen(
        [
            "php",
            "-d",
            "upload_max_filesize=16M",
            "-d",
            "post_max_size=20M",
            "-S",
            f"127.0.0.1:{port}",
            "-t",
            str(docroot),
        ],
        cwd=docroot,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so stop() ends the forked workers too
    )
    server = WordPressServer(url, ADMIN_USER, "", docroot, db_name, process)
    try:
        _wait_for_port(port, process)
        installed = requests.post(
            f"{url}/wp-admin/install.php",
            params={"step": "2"},
            timeout=120,
            data={
                "weblog_title": "IGNY8 publishing test",
                "user_name": ADMIN_USER,
                "admin_password": ADMIN_PASSWORD,
                "admin_password2": ADMIN_PASSWORD,
                "pw_weak": "on",
                "admin_email": "igny8admin@example.com",
                "blog_public": "0",
                "language": "",
            },
        )
        if installed.status_code != 200 or "wp-login.php" not in installed.text:
            raise RuntimeError(f"WordPress install failed ({installed.status_code}): {installed.text[:1500]}")
        script = docroot / "igny8-app-password.php"
        script.write_text(_APP_PASSWORD_PHP)
        made = subprocess.run(
            ["php", str(script)],
            cwd=docroot,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "WP_HOST": f"127.0.0.1:{port}", "WP_ADMIN": ADMIN_USER},
        )
        script.unlink()
        if made.returncode or not made.stdout.strip():
            raise RuntimeError(f"Creating an application password failed: {made.stderr or made.stdout}")
        server.app_password = made.stdout.strip()
    except BaseException:
        server.stop()
        raise
    return server
