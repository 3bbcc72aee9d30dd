package dev.rapport.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.rapport.common.testing.Await;
import dev.rapport.common.testing.TestTokens;

/**
 * The agent's page in a real browser (the distribution's Chromium, headless, driven by Selenium through its
 * chromedriver): an agent signs in through Keycloak, finds the caller by phone as they say it, sees the events of the
 * web, the app, email and the desk on one timeline with the channel of each, the open ticket and what not to offer,
 * records a decline and sees it appear; a wrong phone is named; a user without the role agent is refused in words.
 * Screenshots are kept in {@code target/screenshots}.
 */
@ExtendWith(Suite.class)
class AgentPageIT {

    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String PAGE = "http://localhost:" + Suite.port("service-desk-bridge") + "/agent";

    private ChromeDriver browser;

    /** Keeps the last page (its picture and its HTML) of every test, then closes the browser. */
    @AfterEach
    void keepTheLastPageAndCloseTheBrowser(TestInfo test) throws IOException {
        if (browser != null) {
            try {
                String name = test.getTestMethod().map(m -> m.getName()).orElse("test") + "-last";
                shot(name);
                Files.writeString(SHOTS.resolve(name + ".html"), browser.getPageSource());
            } finally {
                browser.quit();
            }
        }
    }

    @Test
    void anAgentSignsInFindsTheCallerSeesEveryChannelOnOneTimelineAndRecordsADecline() throws Exception {
        String email = "page-" + UUID.randomUUID() + "@example.com";
        String phone = AgentIT.phone(email);
        Instant now = Instant.now();
        AgentIT.post(AgentIT.event("subscribed", "email", email, phone, now.minus(Duration.ofDays(3)),
                Map.of("channel", "all")));
        AgentIT.post(AgentIT.event("product_viewed", "web", email, phone, now.minus(Duration.ofHours(30)),
                Map.of("productId", "kasko-plus", "category", "car-insurance")));
        AgentIT.post(AgentIT.event("product_viewed", "app", email, phone, now.minus(Duration.ofHours(20)),
                Map.of("productId", "kasko-plus", "category", "car-insurance")));
        AgentIT.post(AgentIT.event("message_clicked", "email", email, phone, now.minus(Duration.ofHours(4)),
                Map.of("messageId", "m-1", "campaignId", "winter")));
        String ticket = String.valueOf(Math.floorMod(UUID.randomUUID().getMostSignificantBits(), 1_000_000_000L));
        DeskPauseIT.zendesk(DeskPauseIT.ticket(ticket, "new", now.minus(Duration.ofMinutes(10)), email));
        Await.until(() -> {
            var c = io.restassured.RestAssured.given().port(Suite.port("service-desk-bridge")).auth()
                    .oauth2(TestTokens.user("agent")).queryParam("email", email).when().get("/api/v1/agent/context")
                    .then().extract().jsonPath();
            return c.getList("timeline") instanceof List<?> t && t.size() >= 4
                    && c.getList("openTickets") instanceof List<?> o && !o.isEmpty();
        }, "the events and the ticket reached the agent's context");

        browser = browser(412, 915);
        signIn("agent", "agent");
        assertThat(browser.findElement(By.id("agent")).getText()).isEqualTo("agent");

        // the phone as the caller says it, in the national format
        search("8 (" + phone.substring(2, 5) + ") " + phone.substring(5));
        wait(By.id("customer"));
        List<String> channels = texts(By.cssSelector("#timeline .channel"));
        assertThat(channels).contains("сайт", "приложение", "email", "служба поддержки");
        assertThat(texts(By.cssSelector("#timeline .what"))).contains("просмотр товара", "переход по ссылке",
                "обращение открыто");
        assertThat(browser.findElement(By.id("tickets")).getText()).contains("«Заказ не пришёл»", ticket);
        assertThat(browser.findElement(By.id("do-not-offer")).getText()).contains("ничего", "никакой рекламы");
        assertThat(browser.findElement(By.id("reasons")).getText()).contains("открыто обращение zendesk-" + ticket,
                "смотрел(а) страницы «car-insurance» 2 раза", "приложение", "сайт");
        shot("agent-page-narrow");

        new Select(browser.findElement(By.id("productId"))).selectByValue("kasko-plus");
        browser.findElement(By.cssSelector("input[name=outcome][value=declined]")).click();
        browser.findElement(By.id("note")).sendKeys("Уже застрахован в другой компании");
        WebElement record = browser.findElement(By.id("record"));
        record.click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(gone(record));
        wait(By.id("recorded"));
        assertThat(browser.findElement(By.id("outcomes")).getText()).contains("отказ: kasko-plus",
                "Уже застрахован в другой компании");
        assertThat(texts(By.cssSelector("#timeline .what"))).contains("отказ от предложения");
        assertThat(texts(By.cssSelector("#timeline .channel"))).contains("колл-центр");
        // a reload shows the customer again and records nothing twice
        browser.navigate().refresh();
        wait(By.id("customer"));
        assertThat(browser.findElement(By.id("outcomes")).findElements(By.tagName("li"))).hasSize(1);
        browser.manage().window().setSize(new Dimension(1280, 1000));
        shot("agent-page-wide");

        // a decline without a product is refused in words, and nothing is recorded
        browser.findElement(By.cssSelector("input[name=outcome][value=declined]")).click();
        record = browser.findElement(By.id("record"));
        record.click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(gone(record));
        assertThat(wait(By.id("error")).getText()).contains("Выберите товар");
        assertThat(browser.findElement(By.id("outcomes")).findElements(By.tagName("li"))).hasSize(1);

        search("12ab");
        assertThat(wait(By.id("error")).getText()).contains("Телефон указан неверно");
        search("nobody-" + UUID.randomUUID() + "@example.com");
        assertThat(wait(By.id("error")).getText()).contains("Клиент не найден");
    }

    @Test
    void aUserWithoutTheAgentRoleIsRefusedInWords() throws IOException {
        browser = browser(1024, 768);
        signIn("marketer", "marketer");
        assertThat(wait(By.id("refused")).getText()).contains("нет роли", "agent");
        assertThat(browser.findElements(By.id("q"))).isEmpty();
        shot("agent-page-refused");
    }

    private void signIn(String user, String password) {
        browser.get(PAGE);
        // Keycloak's sign-in form, reached through the authorization-code flow
        wait(By.id("username")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.urlContains("/agent"));
    }

    private void search(String query) {
        WebElement q = wait(By.id("q"));
        q.clear();
        q.sendKeys(query);
        browser.findElement(By.id("find")).click();
        // the answer is a new page
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(gone(q));
    }

    private WebElement wait(By what) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions
                .visibilityOfElementLocated(what));
    }

    private List<String> texts(By what) {
        return browser.findElements(what).stream().map(WebElement::getText).toList();
    }

    private void shot(String name) throws IOException {
        Files.createDirectories(SHOTS);
        Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Headless Chromium from the distribution's packages ({@code CHROME_BIN}, {@code CHROMEDRIVER} override where they
     * are), so nothing is downloaded; as root and without a display it needs no sandbox and no /dev/shm.
     */
    private static ChromeDriver browser(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(env("CHROME_BIN", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=ru",
                "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(env("CHROMEDRIVER", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static String env(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? otherwise : v;
    }

    /**
     * The element's page was replaced (a form posted, a link followed). ChromeDriver answers a node of the old document
     * either as stale or, since Chromium 156 at times, with an inspector error saying the node is not in the document:
     * both mean it is gone.
     */
    private static ExpectedCondition<Boolean> gone(WebElement element) {
        return driver -> {
            try {
                element.isEnabled();
                return false;
            } catch (StaleElementReferenceException e) {
                return true;
            } catch (WebDriverException e) {
                if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                    return true;
                }
                throw e;
            }
        };
    }
}
