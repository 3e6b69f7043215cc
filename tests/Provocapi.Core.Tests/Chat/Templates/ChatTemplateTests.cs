using System.Text.Json;
using Provocapi.Core.Chat.Templates;

namespace Provocapi.Core.Tests.Chat.Templates;

/// <summary>
/// One feature at a time, each expected output made by Jinja2 3.1 with Hugging Face's settings (trim_blocks,
/// lstrip_blocks, loop controls, its tojson), plus the errors and limits that protect a render.
/// </summary>
public sealed class ChatTemplateTests
{
    static readonly Dictionary<string, object?> Messages = new()
    {
        ["messages"] = new List<object?>
        {
            new Dictionary<string, object?> { ["role"] = "user", ["content"] = "hi" },
            new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "yo" },
        },
    };

    static string Render(string source, ChatTemplateOptions? options = null) => ChatTemplate.Parse(source).Render(Messages, options);

    [Theory]
    [InlineData("  {% if true %}\n  x\n  {% endif %}\nend",
        "  x\nend")]
    [InlineData("a  {%- if true -%}  b  {%- endif -%}  \n c {{- ' d ' -}} e",
        "abc d e")]
    [InlineData("  {# note #}\nx {#- trimmed -#} y",
        "xy")]
    [InlineData("{% raw %}{{ x }}{% if %}{% endraw %}!",
        "{{ x }}{% if %}!")]
    [InlineData("{{ [1, 'a', none, true, 1.0, {'k': (1,)}, \"it's\"] }}",
        "[1, 'a', None, True, 1.0, {'k': (1,)}, \"it's\"]")]
    [InlineData("{{ 1e16 }} {{ 0.0001 }} {{ 1/3 }} {{ 10/2 }} {{ 1.5e-7 }} {{ 123456789.0 }}",
        "1e+16 0.0001 0.3333333333333333 5.0 1.5e-07 123456789.0")]
    [InlineData("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 'ab' * 3 }} {{ 1 + 2 * 3 - 4 }} {{ 'a' ~ 1 ~ none }}",
        "3 -4 2 1024 ababab 3 a1None")]
    [InlineData("{% for x in 'abc' %}{{ loop.index }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.previtem }}{{ loop.cycle('o', 'e') }}|{% endfor %}",
        "12Trueo|21Falseae|30Falsebo|")]
    [InlineData("{% for x in [1, 2, 3, 4, 5, 6] if x is odd %}{% if x > 3 %}{% break %}{% endif %}{{ x }}/{{ loop.length }} {% endfor %}{% for x in [] %}no{% else %}empty{% endfor %}",
        "1/3 3/3 empty")]
    [InlineData("{% for x in [1, 2, 3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}",
        "13")]
    [InlineData("{% set x = 1 %}{% set ns = namespace(y=1) %}{% for i in range(3) %}{% set x = x + i %}{% set ns.y = ns.y + i %}{% endfor %}{{ x }} {{ ns.y }}",
        "1 4")]
    [InlineData("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}{{ kwargs }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bo', greeting='Hi') }}",
        "Hello, Ann{}! Hi, Bo{}!")]
    [InlineData("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inner{% endcall %}",
        "<inner>")]
    [InlineData("{% for k, v in {'b': 1, 'A': 2, 'c': 3} | dictsort %}{{ k }}={{ v }};{% endfor %}",
        "A=2;b=1;c=3;")]
    [InlineData("{{ [{'r': 'u', 'n': 1}, {'r': 'a', 'n': 2}, {'r': 'u', 'n': 3}] | selectattr('r', 'equalto', 'u') | map(attribute='n') | join(',') }}",
        "1,3")]
    [InlineData("{{ ['b', 'A', 'a', 'B'] | unique | list }} {{ [{'n': 'b'}, {'n': 'A'}] | sort(attribute='n') | map(attribute='n') | list }} {{ [3, 1, 2] | sort(reverse=true) }}",
        "['b', 'A'] ['A', 'b'] [3, 2, 1]")]
    [InlineData("{{ none | default('d') }} {{ '' | default('e', true) }} {{ missing | default('m') }} {{ missing | d }}|",
        "None e m |")]
    [InlineData("{{ {'b': [1, 2], 'a': 'é\"\\n'} | tojson }} {{ {'b': 1, 'a': {}} | tojson(indent=2) }} {{ {'b': 1, 'a': 2} | tojson(sort_keys=true, separators=(',', ':')) }}",
        "{\"b\": [1, 2], \"a\": \"é\\\"\\n\"} {\n  \"b\": 1,\n  \"a\": {}\n} {\"a\":2,\"b\":1}")]
    [InlineData("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'x\\ny' | indent(width='> ', first=true) }}",
        "a\n  b\n\n  c|> x\n> y")]
    [InlineData("{{ 'hello wORLD-foo(bar' | title }} {{ 'hELLO' | capitalize }} {{ 'xxhixx' | trim('x') }} {{ 'aaa' | replace('a', 'b', 2) }}",
        "Hello World-Foo(Bar Hello hi bba")]
    [InlineData("{{ '42' | int }} {{ '3.9' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(0, 16) }} {{ '2.5' | float }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} {{ -3 | abs }}",
        "42 3 7 26 2.5 2.0 3.14 3")]
    [InlineData("{{ [1, 2, 3] | first }} {{ 'abc' | last }} {{ [3, 1, 2] | min }} {{ ['b', 'C', 'a'] | max }} {{ [1, 2, 3] | sum }} {{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ 'one two, three' | wordcount }} [{{ 'ab' | center(6) }}] {{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }}",
        "1 c 1 C 6 [[1, 2], [3, 4], [5]] 3 [  ab  ] [3, 2, 1] cba")]
    [InlineData("{{ 1 is number }} {{ true is integer }} {{ true is number }} {{ {} is sequence }} {{ none is none }} {{ x is defined }} {{ 'a' is string }} {{ [] is iterable }} {{ 4 is divisibleby 2 }} {{ 3 is even }} {{ 'b' is in 'abc' }}",
        "True False True True True False True True True False True")]
    [InlineData("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a.b.c'.rsplit('.', 1) }} {{ '--x--'.strip('-') }} {{ 'hello'.startswith(('x', 'he')) }} {{ 'x{}y{name}'.format(1, name='n') }} {{ 'abc'.find('c') }} {{ {'a': 1}.get('b', 'none') }} {{ {'a': 1}.items() | list }}",
        "['a', 'b', '', 'c'] ['a', 'b'] ['a.b', 'c'] x True x1yn 2 none [('a', 1)]")]
    [InlineData("{{ [1, 2, 3, 4][::-1] }} {{ 'hello'[1:-1] }} {{ [1, 2, 3][5:] }} {{ 'hello'[::2] }} {{ [1, 2, 3][-1] }} {{ 'abc'[0] }}",
        "[4, 3, 2, 1] ell [] hlo 3 a")]
    [InlineData("[{{ 'yes' if false }}] [{{ 'yes' if true else 'no' }}] [{{ missing }}]",
        "[] [yes] []")]
    [InlineData("{{ 'a' | safe + '<b>' }} {{ ('a' | safe) ~ '<b>' }} {{ '<i>' | escape }}",
        "a&lt;b&gt; a<b> &lt;i&gt;")]
    [InlineData("{% set s %}  captured {{ 1 + 1 }}  {% endset %}[{{ s }}] {% set u | upper %}up{% endset %}{{ u }} {% filter upper %}shout{% endfilter %}",
        "[  captured 2  ] UP SHOUT")]
    [InlineData("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}|",
        "3|")]
    [InlineData("{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'b' not in ['a'] }} {{ not 0 and 'x' or 'y' }} {{ [1, 2] == [1, 2] }} {{ 1 == 1.0 }} {{ (1, 2) == [1, 2] }}",
        "True False True x True True False")]
    [InlineData("{{ messages[0]['content'] }} {{ messages[0].content | upper }} {{ messages | length }} {{ messages[-1].role }}",
        "hi HI 2 assistant")]
    public void Renders_as_jinja2(string source, string expected) => Assert.Equal(expected, Render(source));

    [Theory]
    [InlineData("{{ raise_exception('System role not supported') }}", "TemplateError: System role not supported")]
    [InlineData("{% set ids = [] %}{% set _ = ids.append(1) %}", "SecurityError: access to attribute 'append' of 'list' object is unsafe.")]
    [InlineData("{{ missing.attr }}", "UndefinedError: 'missing' is undefined")]
    [InlineData("{{ messages[0].nothing.more }}", "UndefinedError: 'dict object' has no attribute 'nothing'")]
    [InlineData("{{ 'a' + messages[0] }}", "TypeError: can only concatenate str (not \"dict\") to str")]
    [InlineData("{{ messages | map(attribute='role') | tojson }}", "TypeError: Object of type generator is not JSON serializable")]
    [InlineData("{{ range(1000000) | length }}", "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")]
    [InlineData("{{ 'x' | from_json }}", "TemplateRuntimeError: no filter named 'from_json'")]
    public void Render_errors_raise_what_jinja2_raises(string source, string message) =>
        Assert.Equal(message, Assert.Throws<ChatTemplateException>(() => Render(source)).Message);

    [Theory]
    [InlineData("{% include 'other.jinja' %}")]
    [InlineData("{% extends 'base.jinja' %}")]
    [InlineData("{% from 'macros.jinja' import m %}")]
    [InlineData("{% if true %}never closed")]
    [InlineData("{{ 'yes' if x is defined if false else 'no' }}")]
    [InlineData("{% break %}")]
    [InlineData("{{ 1 + }}")]
    public void Syntax_errors_and_template_loading_fail_at_parse(string source) =>
        Assert.StartsWith("TemplateSyntaxError:", Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source)).Message);

    [Fact]
    public void A_render_that_runs_too_long_stops_at_its_step_budget()
    {
        var options = new ChatTemplateOptions { MaxSteps = 10_000 };
        const string endless = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        var error = Assert.Throws<ChatTemplateException>(() => Render(endless, options));
        Assert.Contains("more than 10000 steps", error.Message);
        Assert.Equal("done", Render("{% for i in range(100) %}{% endfor %}done", options));
    }

    [Fact]
    public void Endless_recursion_stops_at_the_call_depth_limit()
    {
        var error = Assert.Throws<ChatTemplateException>(() => Render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"));
        Assert.Contains("nested deeper than 64", error.Message);
        Assert.Equal("3", Render("{% macro depth(n) %}{% if n < 3 %}{{ depth(n + 1) }}{% else %}{{ n }}{% endif %}{% endmacro %}{{ depth(0) }}"));
    }

    [Fact]
    public void Output_past_the_cap_stops_the_render()
    {
        var options = new ChatTemplateOptions { MaxOutputLength = 1000 };
        var error = Assert.Throws<ChatTemplateException>(() => Render("{% for i in range(100000) %}0123456789{% endfor %}", options));
        Assert.Contains("limit of 1000 characters", error.Message);
        Assert.Equal(1000, Render("{% for i in range(100) %}0123456789{% endfor %}", options).Length);
    }

    [Fact]
    public void A_string_doubled_in_a_loop_stops_at_the_size_cap_before_it_fills_memory()
    {
        const string doubling = "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";
        Assert.Contains("longer than the limit", Assert.Throws<ChatTemplateException>(() => Render(doubling)).Message);
        Assert.Contains("longer than the limit", Assert.Throws<ChatTemplateException>(() => Render("{{ 'ab' * 100000000 }}")).Message);
        Assert.Contains("longer than the limit", Assert.Throws<ChatTemplateException>(() => Render("{{ 'x'.center(1000000000) }}")).Message);
        const string joined = "{% set ns = namespace(s='0123456789') %}{% for i in range(20) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ([ns.s] * 100) | join }}";
        Assert.Contains("longer than the limit", Assert.Throws<ChatTemplateException>(() => Render(joined)).Message);
    }

    [Fact]
    public void Strftime_now_reads_the_options_clock()
    {
        var options = ChatTemplateFixture.Options;
        Assert.Equal("2026-01-15 | 15 Jan 2026 | January 15, 2026 | Thursday 09:30",
            Render("{{ strftime_now('%Y-%m-%d') }} | {{ strftime_now('%d %b %Y') }} | {{ strftime_now('%B %d, %Y') }} | {{ strftime_now('%A %H:%M') }}", options));
    }

    [Fact]
    public void Json_variables_keep_integers_apart_from_floats()
    {
        using var json = JsonDocument.Parse("""{"n": 3, "x": 3.0, "big": 1e300, "args": {"city": "Oslo", "days": [1, 2]}, "none": null}""");
        var variables = new Dictionary<string, object?> { ["data"] = json.RootElement.Clone() };
        var output = ChatTemplate.Parse("{{ data.n }} {{ data.x }} {{ data.big }} {{ data.n is integer }} {{ data.x is float }} {{ data.args | tojson }} {{ data.none }}").Render(variables);
        Assert.Equal("3 3.0 1e+300 True True {\"city\": \"Oslo\", \"days\": [1, 2]} None", output);
        Assert.Equal(3L, ((Dictionary<string, object?>)ChatTemplateValues.FromJson(json.RootElement)!)["n"]);
    }

    [Fact]
    public void A_parsed_template_renders_the_same_from_many_threads()
    {
        var template = ChatTemplate.Parse(ChatTemplateFixture.TemplateSource("Qwen-Qwen2.5-7B-Instruct.jinja"));
        var expected = template.Render(Messages);
        var outputs = new string[16];
        Parallel.For(0, outputs.Length, i => outputs[i] = template.Render(Messages));
        Assert.All(outputs, o => Assert.Equal(expected, o));
        Assert.Contains("<|im_start|>assistant\nyo<|im_end|>", expected);
    }
}
