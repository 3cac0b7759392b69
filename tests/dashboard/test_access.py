"""Who sees what: anonymous visitors, users, administrators, lost logins."""

import httpx
from playwright.async_api import Browser

from tests.dashboard.conftest import ADMIN, REFRESH_S, USER, Plant
from tests.utils.browser import Dashboard


async def test_an_anonymous_visitor_sees_only_the_login_form(
    plant: Plant, browser: Browser
) -> None:
    async with Dashboard.open(browser, plant.url) as tab:
        # (An empty message draws nothing, so it has no node yet.)
        assert await tab.identifiers() == {
            "login-email",
            "login-password",
            "login-submit",
        }
        await tab.log_in(ADMIN, "not the password")
        message = await tab.wait_text("login-message", bool)
        assert message == "Incorrect email or password"
        assert "overall-status" not in await tab.identifiers()


async def test_a_user_without_admin_rights_gets_no_admin_controls(
    plant: Plant, browser: Browser
) -> None:
    async with Dashboard.open(browser, plant.url) as tab:
        await tab.log_in(USER, plant.password)
        await tab.shows("overall-status")
        assert "(user)" in await tab.text("current-user")

        await tab.click("view-toggle")  # Cards
        await tab.click("card-auth")
        await tab.shows("back")
        assert not [i for i in await tab.identifiers() if i.startswith("user-")]
        await tab.click("back")

        await tab.click("card-scheduler")
        await tab.shows("back")
        ids = await tab.identifiers()
        assert not [i for i in ids if i.endswith(("-pause", "-resume", "-trigger"))]


async def test_an_admin_manages_users_and_a_deactivated_user_is_sent_back_to_login(
    plant: Plant, browser: Browser
) -> None:
    async with (
        Dashboard.open(browser, plant.url) as homer,
        Dashboard.open(browser, plant.url) as burns,
    ):
        await homer.log_in(USER, plant.password)
        await homer.shows("overall-status")
        await burns.log_in(ADMIN, plant.password)
        await burns.shows("overall-status")
        assert "(admin)" in await burns.text("current-user")

        await burns.click("view-toggle")
        await burns.click("card-auth")
        homer_id = await _user_id(plant, USER)
        await burns.click_until(
            f"user-{homer_id}-deactivate", shows=f"user-{homer_id}-activate"
        )
        await burns.wait_text(f"user-{homer_id}-active", lambda text: text == "off")

        # Homer's tab finds out at its next refresh at the latest.
        notice = await homer.wait_text("login-message", bool, timeout_s=REFRESH_S + 5)
        assert "log in again" in notice
        await homer.log_in(USER, plant.password)
        await homer.wait_text("login-message", lambda t: t == "Account is deactivated")

        await burns.click_until(
            f"user-{homer_id}-activate", shows=f"user-{homer_id}-deactivate"
        )
        await burns.wait_text(f"user-{homer_id}-active", lambda text: text == "on")
        await burns.click_until(
            f"user-{homer_id}-delete", shows=f"user-{homer_id}-confirm"
        )
        await burns.click(f"user-{homer_id}-confirm")
        await burns.find(f"user-{homer_id}-active").wait_for(state="detached")
        assert await _user_id(plant, USER) is None


async def _user_id(plant: Plant, email: str) -> int | None:
    async with httpx.AsyncClient(base_url=plant.url) as client:
        token = (
            await client.post(
                "/api/v1/auth/token",
                data={"username": ADMIN, "password": plant.password},
            )
        ).json()["access_token"]
        users = (
            await client.get(
                "/api/v1/auth/users", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()["items"]
    return next((user["id"] for user in users if user["email"] == email), None)
