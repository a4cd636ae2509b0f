"""End to end: `streamlit run ui/app.py` as a real server, driven by headless Chromium through selenium.

Measures what a user waits for: the server's health check within 30 s of starting the process
(the model and the index load before it answers, see ui/app.py), and the first answer on the page
within 5 s after that (the browser is opened before the server starts, as a user's would be).
The screenshot lands in artifacts/e2e-ask.png and the timings in artifacts/e2e-ask.json.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# As a clinician types it between patients (docs: ../shared/USERS.md).
QUESTION = "max daily dose oral baclofen?"
HEALTH_LIMIT_S = 30.0
ANSWER_LIMIT_S = 5.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture
def browser(tmp_path):
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (run `make browser-deps` as root)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="bqa-chromium-", dir=tmp_path)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1400,2000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # An open browser, as a user's would be: its first page costs process start-up, not the app's time.
    driver.get("data:text/html,<p>ready</p>")
    yield driver
    driver.quit()


@pytest.fixture
def server(tmp_path, seed_index_dir, seed_corpus):
    """Start the app on a free localhost port over the prebuilt seed index; yields (url, started_at)."""
    # A private copy: the server may not touch the session's seed index.
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index_dir, index_dir)
    env = dict(os.environ, BQA_INDEX_DIR=str(index_dir), BQA_CORPUS_DIR=str(seed_corpus), HF_HUB_OFFLINE="1")
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    command = [
        str(ROOT / ".venv" / "bin" / "streamlit"),
        "run",
        "ui/app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", started, process, tmp_path / "server.log"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.browser
def test_ask_in_a_real_browser(browser, server, seed_index):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    url, started, process, log_path = server
    health = f"{url}/_stcore/health"
    while not _healthy(health):
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() - started > 3 * HEALTH_LIMIT_S:
            break
        time.sleep(0.1)
    healthy_at = time.monotonic()
    health_s = healthy_at - started
    assert health_s <= HEALTH_LIMIT_S, f"health after {health_s:.1f} s\n{log_path.read_text()[-3000:]}"

    browser.get(url + "/")
    wait = WebDriverWait(browser, 60, poll_frequency=0.05)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Your question']")))
    page_s = time.monotonic() - healthy_at
    box.send_keys(QUESTION)
    box.send_keys(Keys.ENTER)
    submitted_at = time.monotonic()
    answer = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".bqa-answer")))
    marks = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, ".bqa-passage mark")))
    answer_s = time.monotonic() - healthy_at
    after_submit_s = time.monotonic() - submitted_at
    # The run goes on to draw the session's history; the screenshot waits for it.
    wait.until(ec.presence_of_element_located((By.XPATH, f"//button[.//p[contains(., '{QUESTION}')]]")))

    ARTIFACTS.mkdir(exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    browser.save_screenshot(str(ARTIFACTS / "e2e-ask.png"))
    (ARTIFACTS / "e2e-ask.json").write_text(
        json.dumps(
            {
                "question": QUESTION,
                "health_s": round(health_s, 2),
                "first_answer_s": round(answer_s, 2),
                "page_ready_s": round(page_s, 2),
                "answer_after_submit_s": round(after_submit_s, 2),
                "load_average": os.getloadavg()[0],
            }
        )
        + "\n"
    )
    timings = (
        f"health {health_s:.2f} s after start; first answer {answer_s:.2f} s after health "
        f"(page ready {page_s:.2f} s, answer {after_submit_s:.2f} s after submit; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print("\n" + timings)

    assert "[1]" in answer.text
    assert answer.find_elements(By.CSS_SELECTOR, "a.bqa-ref[href='#bqa-cite-1']")
    # The highlighted text is a verbatim span of a corpus document.
    quote = marks[0].text.strip()
    assert quote and any(quote in " ".join(d.text.split()) for d in seed_index.documents.values())
    assert "not medical advice" in browser.find_element(By.TAG_NAME, "body").text
    assert answer_s <= ANSWER_LIMIT_S, timings


def test_streamlit_run_serves_the_shell_through_st_app():
    """`streamlit run ui/app.py` finds the st.App (with its warm-up) rather than running app.py as a script."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "ui" / "app.py")
    assert found.is_asgi_app and found.import_string.endswith(":app")
    assert (ROOT / "ui" / "shell.py").is_file()
