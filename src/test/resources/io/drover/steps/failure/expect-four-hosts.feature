Feature: A deploy that knows how many hosts it must reach
  Scenario: One of the German dev servers is down
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I expect 4 hosts
    And I want to pre-discover how many hosts to update
    When I restart the service mywebapp
