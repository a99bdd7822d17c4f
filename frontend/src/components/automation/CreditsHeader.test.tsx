// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { SiteRatios } from "../../api/models";
import { anEstimate } from "../../test/fixtures";
import { CreditsHeader } from "./CreditsHeader";

afterEach(cleanup);

/** A ratio's line as read aloud: its value in words, then its source. */
const line = (name: string) => screen.getByTestId(`ratio-${name}`).textContent;

const header = (ratios: SiteRatios, images_off = "") =>
  render(<CreditsHeader balance="100.00" estimate={anEstimate({ ratios, images_off })} />);

describe("CreditsHeader", () => {
  it("explains the estimate with the site's ratios, learned and default, and their sources", () => {
    header({
      projected_clusters: 14,
      cluster_factor: { value: "1.25", source: "site" },
      ideas_per_cluster: { value: "2.50", source: "site" },
      words_per_article: { value: "1250.00", source: "default" },
      images_per_article: { value: "4.00", source: "default" },
    });
    const ratios = screen.getByTestId("estimate-ratios") as HTMLDetailsElement;
    expect(ratios.tagName).toBe("DETAILS");
    expect(ratios.open).toBe(false);
    const summary = within(ratios).getByText("How this estimate is made");
    expect(summary.tagName).toBe("SUMMARY");
    fireEvent.click(summary);
    expect(ratios.open).toBe(true);

    expect(line("projected_clusters")).toBe(
      "14 new clusters projected from the pending keywords by a local grouping",
    );
    expect(line("cluster_factor")).toBe(
      "about 1.25 clusters made per projected cluster learned from this site",
    );
    expect(line("ideas_per_cluster")).toBe("about 2.5 ideas per cluster learned from this site");
    expect(line("words_per_article")).toBe("1,250 words per article default until this site has articles");
    expect(line("images_per_article")).toBe(
      "4 images per article default until this site has articles with images",
    );
  });

  it("names local clustering and says when no images are made", () => {
    header(
      {
        projected_clusters: 1,
        cluster_factor: { value: "1.00", source: "local" },
        ideas_per_cluster: { value: "1.00", source: "default" },
        words_per_article: { value: "980.00", source: "site" },
        images_per_article: { value: "3.00", source: "site" },
      },
      "the site makes no images",
    );
    expect(line("projected_clusters")).toBe(
      "1 new cluster projected from the pending keywords by a local grouping",
    );
    expect(line("cluster_factor")).toBe("1 cluster made per projected cluster local clustering");
    expect(line("ideas_per_cluster")).toBe(
      "1 idea per cluster default until this site has clusters with ideas",
    );
    expect(line("words_per_article")).toBe("980 words per article learned from this site");
    expect(line("images_per_article")).toBe(
      "3 images per article (none this run: the site makes no images) learned from this site",
    );
  });

  it("shows no ratios while the estimate is loading or has failed", () => {
    render(<CreditsHeader balance={null} estimate={undefined} />);
    expect(screen.getByTestId("credit-estimate").textContent).toBe("…");
    expect(screen.queryByTestId("estimate-ratios")).toBeNull();
  });
});
